// Pieces every view uses: the error box (code, message, what to do; a refusal told apart), a
// confirmation dialog, a state badge and a titled section.

import { html } from "htm/preact";
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { ApiError, type Problem } from "./problem";

// What a failed call (or a bug in the page) shows; `code` names the page's own failures.
export function problemOf(error: unknown, code: string): Problem {
  if (error instanceof ApiError) return error.problem;
  return { code, message: String(error), suggestions: ["Reload the page."] };
}

export function ProblemBox({ problem, title, onClose }: { problem: Problem; title?: string; onClose?: () => void }) {
  const refused = problem.status === 403;
  return html`<div class=${`problem${refused ? " refused" : ""}`} role="alert">
    <div>
      <strong>${title ?? (refused ? "Not allowed" : "Error")}</strong> <code class="code">${problem.code}</code>
      ${onClose && html`<button type="button" class="close" aria-label="Dismiss" onClick=${onClose}>×</button>`}
    </div>
    <p class="message">${problem.message}</p>
    ${problem.suggestions.length > 0 &&
    html`<ul class="suggestions">
      ${problem.suggestions.map((s) => html`<li>${s}</li>`)}
    </ul>`}
  </div>`;
}

export function Badge({ value }: { value: string }) {
  return html`<span class=${`badge ${value}`}>${value}</span>`;
}

export type Confirmation = { title: string; text: string; action: string; run: () => Promise<void> };

export function ConfirmDialog({ ask, close }: { ask: Confirmation; close: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => dialog.current?.showModal(), []);
  const go = async () => {
    close();
    await ask.run();
  };
  return html`<dialog ref=${dialog} aria-label=${ask.title} onClose=${close}>
    <h2>${ask.title}</h2>
    <p>${ask.text}</p>
    <div class="buttons">
      <button type="button" onClick=${close}>Cancel</button>
      <button type="button" class="danger" onClick=${go}>${ask.action}</button>
    </div>
  </dialog>`;
}

export function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return html`<section><h2>${title}</h2>${children}</section>`;
}
