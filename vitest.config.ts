import { defineConfig } from "vitest/config";

/** Unit and API tests live beside the code they test; end-to-end specs run under Playwright. */
export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "apps/*/src/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
