import type { NextConfig } from "next";

// Kubelab is self-hosted and often runs without internet access: never send
// Next.js telemetry. This runs before `next build` creates its telemetry
// client, and also covers the production server embedded in the API.
process.env.NEXT_TELEMETRY_DISABLED ??= "1";

const nextConfig: NextConfig = {
  // `npm run dev` (KUBELAB_WEB_DEV=1, see apps/api/src/web/web-app.ts) keeps its files apart from
  // the production build that `npm start` serves.
  distDir: process.env.KUBELAB_WEB_DEV === "1" ? ".next-dev" : ".next",
  // Served by the API server through Next's custom-server API, not standalone.
  reactStrictMode: true,
  poweredByHeader: false,
  // The shared zod contracts are a workspace package (compiled CommonJS in
  // packages/shared/dist); let Next bundle it like app code for both the
  // server and the browser.
  transpilePackages: ["@kubelab/shared"],
  // The repository root runs ESLint (flat config) over apps/web; don't run a
  // second, differently configured ESLint pass during `next build`.
  eslint: { ignoreDuringBuilds: true },
};

export default nextConfig;
