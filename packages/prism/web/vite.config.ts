import { defineConfig } from "vite";

// The build lands in the Python package, which prismd serves under /dashboard/; it is never
// committed (make ui builds it). One page: the dashboard routes in the browser.
export default defineConfig({
  base: "/dashboard/",
  build: {
    outDir: "../src/prism/daemon/static/dashboard",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 300, // the budget for the first load's JavaScript, in KB
  },
});
