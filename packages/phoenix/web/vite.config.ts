import { defineConfig } from "vite";

// The build lands in the Python package, which serves it; it is never committed. One page: the
// console routes in the browser (deployments, catalog, experiments).
export default defineConfig({
  // groundwork's web kit (the error box, routing, the shared look) is read from its source; its
  // imports of preact and htm resolve to this page's own node_modules.
  resolve: {
    alias: { "@groundwork/web": decodeURIComponent(new URL("../../groundwork/web/src", import.meta.url).pathname) },
    dedupe: ["preact", "htm"],
  },
  build: {
    outDir: "../src/phoenix/server/static",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 300, // the budget for the first load's JavaScript, in KB
  },
});
