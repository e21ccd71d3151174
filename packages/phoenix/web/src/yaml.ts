// YAML highlighted line by line: comments, keys, strings, numbers and booleans as spans. The
// files shown are phoenix's own and the collector configs it renders, so a line tokenizer is
// enough, and far smaller than a general highlighter.

import { html } from "htm/preact";

const SCALAR = /^(\s*-?\s*)("(?:[^"\\]|\\.)*"|'[^']*'|[^#]*?)(\s*(?:#.*)?)$/;

function value(text: string) {
  const trimmed = text.trim();
  if (!trimmed) return text;
  if (/^["']/.test(trimmed)) return html`<span class="y-str">${text}</span>`;
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return html`<span class="y-num">${text}</span>`;
  if (/^(true|false|null|~)$/.test(trimmed)) return html`<span class="y-bool">${text}</span>`;
  return html`<span class="y-val">${text}</span>`;
}

function line(text: string) {
  if (/^\s*#/.test(text)) return html`<span class="y-comment">${text}</span>`;
  const key = /^(\s*(?:-\s+)?)([^\s:#'"][^:#]*?|"[^"]*"|'[^']*')(:)(\s|$)(.*)$/.exec(text);
  if (key) {
    const [, indent, name, colon, space, rest] = key;
    const [, lead, body, comment] = SCALAR.exec(rest) ?? ["", "", rest, ""];
    return html`${indent}<span class="y-key">${name}</span>${colon}${space}${lead}${value(body)}${comment &&
      html`<span class="y-comment">${comment}</span>`}`;
  }
  const [, lead, body, comment] = SCALAR.exec(text) ?? ["", "", text, ""];
  return html`${lead}${value(body)}${comment && html`<span class="y-comment">${comment}</span>`}`;
}

export function Yaml({ text, label }: { text: string; label: string }) {
  return html`<pre class="yaml" aria-label=${label}><code>${text.split("\n").map((l) => [line(l), "\n"])}</code></pre>`;
}
