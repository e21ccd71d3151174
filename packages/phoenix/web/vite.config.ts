import { defineConfig } from "vite";

// The build lands in the Python package, which serves it; it is never committed. One page: the
// console routes in the browser (deployments, catalog, experiments).
export default defineConfig({
  build: {
    outDir: "../src/phoenix/server/static",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 300, // the budget for the first load's JavaScript, in KB
  },
});
