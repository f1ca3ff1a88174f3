import path from "node:path";

// Compiled tests live in tests/dist/support; the repository root is three levels up.
export const REPO_ROOT = path.resolve(__dirname, "../../..");
export const SERVER_ENTRY = path.join(REPO_ROOT, "apps/api/dist/main.js");
