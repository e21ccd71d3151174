// Pieces every view uses: the error box (code, message, what to do), a confirmation dialog,
// and a status badge.

import { html } from "htm/preact";
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { ApiError, type Problem } from "./api";

export function problemOf(error: unknown): Problem {
  if (error instanceof ApiError) return error.problem;
  return { code: "PHOENIX_CONSOLE_ERROR", message: String(error), suggestions: ["Reload the page."] };
}

export function ProblemBox({ problem, title }: { problem: Problem; title?: string }) {
  return html`<div class="problem" role="alert">
    <div><strong>${title ?? "Error"}</strong> <code class="code">${problem.code}</code></div>
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
