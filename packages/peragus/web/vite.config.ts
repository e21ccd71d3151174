import { defineConfig } from "vite";

// The build lands in the Python package, which serves it; it is never committed. Three pages: the
// list (index.html), a notebook (notebook.html) and the status page (status.html); the editor's
// language features are a lazy chunk.
export default defineConfig({
  build: {
    outDir: "../src/peragus/server/static",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 600, // the budget the issue sets for shipped JavaScript
    rollupOptions: { input: { index: "index.html", notebook: "notebook.html", status: "status.html" } },
  },
});
