// Light and dark themes: the system's choice unless the user picks one (kept in localStorage).
// The colours are CSS variables switched by html[data-theme] and prefers-color-scheme.

import { html } from "htm/preact";
import { useState } from "preact/hooks";

export type ThemeChoice = "system" | "light" | "dark";
const KEY = "peragus:theme";
const NEXT: Record<ThemeChoice, ThemeChoice> = { system: "light", light: "dark", dark: "system" };

export function themeChoice(): ThemeChoice {
  const stored = localStorage.getItem(KEY);
  return stored === "light" || stored === "dark" ? stored : "system";
}

export function applyTheme(choice: ThemeChoice = themeChoice()): void {
  if (choice === "system") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
}

export function ThemeButton() {
  const [choice, setChoice] = useState(themeChoice());
  const change = () => {
    const next = NEXT[choice];
    if (next === "system") localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, next);
    applyTheme(next);
    setChoice(next);
  };
  return html`<button class="quiet" aria-label="Theme" title="Theme: system, light or dark" onClick=${change}>
    Theme: ${choice}
  </button>`;
}
