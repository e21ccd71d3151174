// Routing in the page: links change the address with pushState and every view re-renders from
// it; the server answers every address of the page with the same page.

import { useEffect, useState } from "preact/hooks";

const listeners = new Set<() => void>();

export function navigate(path: string): void {
  history.pushState(null, "", path);
  listeners.forEach((listener) => listener());
}

export function useLocation(): string {
  const [path, setPath] = useState(location.pathname + location.search);
  useEffect(() => {
    const update = () => setPath(location.pathname + location.search);
    listeners.add(update);
    addEventListener("popstate", update);
    return () => {
      listeners.delete(update);
      removeEventListener("popstate", update);
    };
  }, []);
  return path;
}

// A click on an in-page link navigates without a reload; modified clicks open tabs as usual.
export function onLink(event: MouseEvent): void {
  const link = (event.target as HTMLElement).closest("a");
  if (!link || link.target || link.hasAttribute("download") || event.ctrlKey || event.metaKey || event.shiftKey) return;
  const url = new URL(link.href);
  if (url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
}
