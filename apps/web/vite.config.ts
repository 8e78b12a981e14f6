import react from "@vitejs/plugin-react";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/**
 * The web app builds into apps/web/dist, which `studio serve` serves beside the API.
 * `public/` at the repository root holds static files copied as-is. In development the
 * Vite server forwards /trpc to a running `studio serve` on port 3000.
 */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  publicDir: `${repoRoot}public`,
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true },
  server: { proxy: { "/trpc": "http://127.0.0.1:3000" } },
});
