import { defineConfig } from "vite";

// The build lands in the Python package, which serves it; it is never committed. Two pages: the
// list (index.html) and a notebook (notebook.html); the editor's language features are a third,
// lazy chunk.
export default defineConfig({
  build: {
    outDir: "../src/peragus/server/static",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 600, // the budget the issue sets for shipped JavaScript
    rollupOptions: { input: { index: "index.html", notebook: "notebook.html" } },
  },
});
