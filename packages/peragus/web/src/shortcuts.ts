// The shortcuts panel: `?` anywhere outside a text field opens it, Escape closes it.

import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";

export const SHORTCUTS: [string, string][] = [
  ["Shift+Enter or Ctrl/⌘+Enter", "Run the cell"],
  ["Shift+Alt+F", "Format the cell with prettier"],
  ["Ctrl+Space", "Complete (also as you type)"],
  ["F12 or Ctrl/⌘+click", "Go to the definition, in any cell"],
  ["Alt+↑ / Alt+↓", "Move the cell up or down"],
  ["Ctrl/⌘+Z, Ctrl/⌘+Shift+Z", "Undo, redo"],
  ["Tab / Shift+Tab", "Indent, dedent"],
  ["?", "This panel"],
  ["Escape", "Close a panel"],
];

function typing(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  return !!element && (element.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(element.tagName));
}

export function ShortcutsPanel() {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "?" && !typing(event.target)) {
        event.preventDefault();
        setOpen((o) => !o);
      } else if (event.key === "Escape") setOpen(false);
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);
  if (!open) return null;
  return html`<div class="overlay" onClick=${() => setOpen(false)}>
    <div class="panel" role="dialog" aria-label="Keyboard shortcuts" onClick=${(e: Event) => e.stopPropagation()}>
      <h2>Keyboard shortcuts</h2>
      <table class="shortcuts">
        ${SHORTCUTS.map(([keys, what]) => html`<tr><td><kbd>${keys}</kbd></td><td>${what}</td></tr>`)}
      </table>
      <button onClick=${() => setOpen(false)}>Close</button>
    </div>
  </div>`;
}
