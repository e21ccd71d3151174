// Markdown cells render through marked, then DOMPurify: a notebook from elsewhere must not be
// able to run script in the page.

import DOMPurify from "dompurify";
import { marked } from "marked";

export function renderMarkdown(text: string): string {
  return DOMPurify.sanitize(marked.parse(text, { async: false }) as string);
}
