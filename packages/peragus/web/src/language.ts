// The editor's language features, loaded as their own chunk once a notebook's editors are up:
// tsserver's diagnostics as lint markers, completion, hover and go-to-definition, all through
// srcbook's tsserver events on the notebook's WebSocket topic.

import { autocompletion, type CompletionContext, type CompletionResult } from "@codemirror/autocomplete";
import { lintGutter, setDiagnostics, type Diagnostic } from "@codemirror/lint";
import type { Extension, Text } from "@codemirror/state";
import { EditorView, hoverTooltip, keymap } from "@codemirror/view";

export type Position = { line: number; offset: number };
export type TsDiagnostic = { code: number; category: string; text: string; start: Position; end: Position };
type Entry = {
  name: string;
  kind: string;
  sortText?: string;
  source?: string;
  insertText?: string;
  hasAction?: boolean;
  data?: unknown;
};
type TextChange = { start: Position; end: Position; newText: string };
type Place = { cellId: string | null; filename: string | null; file: string | null; start: Position };

const TIMEOUT_MS = 10_000;

export type Host = {
  send: (event: string, payload: unknown) => void;
  /** Sends the cell's unsaved text now, so tsserver answers about what is on screen. */
  flush: (cellId: string) => void;
  goTo: (cellId: string, position: Position) => void;
  notice: (text: string) => void;
};

export function offsetOf(doc: Text, position: Position): number {
  const line = doc.line(Math.min(Math.max(position.line, 1), doc.lines));
  return Math.min(line.from + Math.max(position.offset - 1, 0), line.to);
}

function positionOf(doc: Text, pos: number): Position {
  const line = doc.lineAt(pos);
  return { line: line.number, offset: pos - line.from + 1 };
}

export function showDiagnostics(view: EditorView, errors: TsDiagnostic[], suggestions: TsDiagnostic[]): void {
  const doc = view.state.doc;
  const marker = (d: TsDiagnostic, severity: Diagnostic["severity"]): Diagnostic => {
    const from = offsetOf(doc, d.start);
    return { from, to: Math.max(from, offsetOf(doc, d.end)), severity, message: d.text, source: `ts(${d.code})` };
  };
  view.dispatch(
    setDiagnostics(view.state, [
      ...errors.map((d) => marker(d, d.category === "warning" ? "warning" : "error")),
      ...suggestions.map((d) => marker(d, "hint")),
    ]),
  );
}

const KINDS: Record<string, string> = {
  method: "method",
  property: "property",
  getter: "property",
  setter: "property",
  function: "function",
  "local function": "function",
  var: "variable",
  let: "variable",
  const: "constant",
  "local var": "variable",
  parameter: "variable",
  class: "class",
  interface: "interface",
  type: "type",
  enum: "enum",
  "enum member": "enum",
  module: "namespace",
  "external module name": "namespace",
  keyword: "keyword",
  alias: "variable",
};

export class LanguageClient {
  private pending = new Map<string, { resolve: (value: any) => void; timer: number }>();
  private next = 0;

  constructor(private host: Host) {}

  /** A tsserver:cell:*:response: the answer to one of our requests. */
  answer(payload: { requestId?: string; response: unknown }): void {
    const waiting = payload.requestId ? this.pending.get(payload.requestId) : undefined;
    if (!waiting) return;
    window.clearTimeout(waiting.timer);
    this.pending.delete(payload.requestId!);
    waiting.resolve(payload.response);
  }

  request<T>(
    kind: "completions" | "completion_details" | "quickinfo" | "definition_location",
    cellId: string,
    location: Position,
    extra: Record<string, unknown> = {},
  ): Promise<T | null> {
    this.host.flush(cellId);
    const requestId = `r${++this.next}`;
    return new Promise((resolve) => {
      const timer = window.setTimeout(() => {
        this.pending.delete(requestId);
        resolve(null);
      }, TIMEOUT_MS);
      this.pending.set(requestId, { resolve, timer });
      this.host.send(`tsserver:cell:${kind}:request`, { cellId, requestId, request: { location, ...extra } });
    });
  }

  /** An auto-import completion (a sibling cell's or a package's export): its name, then the
   * `import` line tsserver says it needs. */
  private async autoImport(cellId: string, view: EditorView, entry: Entry, from: number, to: number): Promise<void> {
    view.dispatch({ changes: { from, to, insert: entry.name }, selection: { anchor: from + entry.name.length } });
    const location = positionOf(view.state.doc, from);
    const reply = await this.request<{ textChanges: TextChange[] }>("completion_details", cellId, location, {
      entry: { name: entry.name, source: entry.source, data: entry.data },
    });
    const changes = (reply?.textChanges ?? []).map((change) => ({
      from: offsetOf(view.state.doc, change.start),
      to: offsetOf(view.state.doc, change.end),
      insert: change.newText,
    }));
    if (changes.length) view.dispatch({ changes });
  }

  private async complete(cellId: string, context: CompletionContext): Promise<CompletionResult | null> {
    const word = context.matchBefore(/[\w$]*/);
    const from = word ? word.from : context.pos;
    const before = context.state.sliceDoc(Math.max(0, from - 1), from);
    if (!context.explicit && from === context.pos && before !== ".") return null;
    const reply = await this.request<{ entries: Entry[] }>("completions", cellId, positionOf(context.state.doc, context.pos));
    if (!reply || context.aborted) return null;
    return {
      from,
      validFor: /^[\w$]*$/,
      options: reply.entries.map((entry, index) => ({
        label: entry.name,
        apply: entry.hasAction
          ? (view: EditorView, _completion: unknown, from: number, to: number) => void this.autoImport(cellId, view, entry, from, to)
          : entry.insertText ?? entry.name,
        type: KINDS[entry.kind] ?? "text",
        detail: entry.source ? `from ${entry.source.split("/").pop()}` : undefined,
        boost: -index / 1000, // tsserver's order (by sortText) first
      })),
    };
  }

  private async definition(cellId: string, view: EditorView, pos: number): Promise<void> {
    const places = await this.request<Place[]>("definition_location", cellId, positionOf(view.state.doc, pos));
    const place = places?.[0];
    if (!place) this.host.notice("No definition found there.");
    else if (place.cellId) this.host.goTo(place.cellId, place.start);
    else this.host.notice(`Defined outside the notebook, in ${place.file}.`);
  }

  extensions(cellId: string): Extension[] {
    return [
      lintGutter(),
      autocompletion({ override: [(context) => this.complete(cellId, context)], activateOnTypingDelay: 50 }),
      hoverTooltip(
        async (view, pos) => {
          const { from, to, text } = view.state.doc.lineAt(pos);
          let start = pos;
          let end = pos;
          while (start > from && /[\w$]/.test(text[start - from - 1])) start--;
          while (end < to && /[\w$]/.test(text[end - from])) end++;
          if (start === end) return null;
          const info = await this.request<{ displayString: string; documentation: string }>(
            "quickinfo",
            cellId,
            positionOf(view.state.doc, start),
          );
          if (!info?.displayString) return null;
          return {
            pos: start,
            end,
            above: true,
            create: () => {
              const dom = document.createElement("div");
              dom.className = "quickinfo";
              const signature = document.createElement("pre");
              signature.textContent = info.displayString;
              dom.appendChild(signature);
              if (info.documentation) {
                const docs = document.createElement("p");
                docs.textContent = info.documentation;
                dom.appendChild(docs);
              }
              return { dom };
            },
          };
        },
        { hoverTime: 250 },
      ),
      keymap.of([{ key: "F12", run: (view) => (void this.definition(cellId, view, view.state.selection.main.head), true) }]),
      EditorView.domEventHandlers({
        mousedown: (event, view) => {
          if (!(event.ctrlKey || event.metaKey)) return false;
          const pos = view.posAtCoords({ x: event.clientX, y: event.clientY });
          if (pos === null) return false;
          void this.definition(cellId, view, pos);
          return true;
        },
      }),
    ];
  }
}
