import path from "node:path";

// Compiled tests live in tests/dist/support; the repository root is three levels up.
export const REPO_ROOT = path.resolve(__dirname, "../../..");
// KUBELAB_SERVER_ENTRY: another build of the server (a benchmark's "before" figures).
export const SERVER_ENTRY = process.env.KUBELAB_SERVER_ENTRY ?? path.join(REPO_ROOT, "apps/api/dist/main.js");
