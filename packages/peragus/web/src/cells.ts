// The cells of a notebook page: the title, markdown cells and code cells (CodeMirror).

import type { EditorView } from "@codemirror/view";
import { html } from "htm/preact";
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Cell } from "./api";
import type { Drafts } from "./drafts";
import { createEditor, replaceDoc } from "./editor";
import { renderMarkdown } from "./markdown";

export type Output = { type: "stdout" | "stderr" | "notice"; data: string };
export type Exit = { exitCode: number | null; stopped?: boolean; timedOut?: boolean; durationMs?: number };
export type CodeCell = Extract<Cell, { type: "code" }>;

const CODE_SAVE_DELAY_MS = 100; // tsserver sees the text this soon after typing stops

export function TitleInput(props: { cell: Extract<Cell, { type: "title" }>; drafts: Drafts; restored?: string }) {
  const { cell, drafts } = props;
  const [text, setText] = useState(props.restored ?? drafts.get(cell.id)?.value ?? cell.text);
  useEffect(() => {
    if (!drafts.get(cell.id)) setText(cell.text);
  }, [cell.text]);
  return html`<input class="title" aria-label="Title" value=${text}
    onInput=${(e: Event) => {
      const value = (e.target as HTMLInputElement).value;
      setText(value);
      drafts.edit(cell.id, "title#0", "text", value);
    }} />`;
}

type Actions = { onRun?: () => void; onFormat?: () => void; onMove?: (delta: -1 | 1) => void };

// A server that restarted knows the cells by new ids, so their editors are made anew: the one
// being typed in hands its focus and selection to its successor (same file name) in the same
// task, before the next keystroke is dispatched, so that keystroke lands in the new editor.
let handoff: { key: string; anchor: number; head: number } | null = null;

/** A CodeMirror editor in a ref'd element; ``source`` from the server replaces its text when
 * ``accept`` says nothing typed here is pending. */
export function useEditor(options: {
  cellId: string;
  key?: string;
  source: string;
  initial: string;
  language: "typescript" | "javascript" | "json" | "text";
  onChange: (value: string) => void;
  accept: () => boolean;
  actions?: Actions;
  register?: (cellId: string, view: EditorView | null) => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latest = useRef(options);
  latest.current = options;
  useLayoutEffect(() => {
    const actions = options.actions ?? {};
    view.current = createEditor(host.current!, {
      doc: options.initial,
      language: options.language,
      onChange: (value) => latest.current.onChange(value),
      onRun: actions.onRun && (() => latest.current.actions?.onRun?.()),
      onFormat: actions.onFormat && (() => latest.current.actions?.onFormat?.()),
      onMove: actions.onMove && ((delta) => latest.current.actions?.onMove?.(delta)),
    });
    options.register?.(options.cellId, view.current);
    if (handoff && handoff.key === options.key) {
      const length = view.current.state.doc.length;
      view.current.focus();
      view.current.dispatch({ selection: { anchor: Math.min(handoff.anchor, length), head: Math.min(handoff.head, length) } });
      handoff = null;
    }
    return () => {
      const old = view.current;
      if (old?.hasFocus && options.key) {
        handoff = { key: options.key, anchor: old.state.selection.main.anchor, head: old.state.selection.main.head };
      }
      options.register?.(options.cellId, null);
      old?.destroy();
    };
  }, [options.cellId]);
  useEffect(() => {
    if (view.current && latest.current.accept()) replaceDoc(view.current, options.source);
  }, [options.source]);
  return { host, view };
}

/** An editor whose edits autosave through the drafts (kept until the server confirms them). */
export function useDraftEditor(
  cellId: string,
  key: string,
  source: string,
  language: "typescript" | "javascript" | "json" | "text",
  drafts: Drafts,
  restored: string | undefined,
  actions: Actions = {},
  register?: (cellId: string, view: EditorView | null) => void,
) {
  const code = language === "typescript" || language === "javascript";
  return useEditor({
    cellId,
    key,
    source,
    initial: restored ?? drafts.get(cellId)?.value ?? source,
    language,
    onChange: (value) => drafts.edit(cellId, key, "source", value, code ? CODE_SAVE_DELAY_MS : undefined),
    accept: () => !drafts.get(cellId),
    actions,
    register,
  });
}

export type CodeCellProps = {
  cell: CodeCell;
  drafts: Drafts;
  restored?: string;
  output: Output[];
  exit?: Exit;
  errors: number;
  aiReady?: boolean;
  register: (cellId: string, view: EditorView | null) => void;
  onRun: () => void;
  onStop: () => void;
  onRename: (filename: string) => void;
  onDelete: () => void;
  onFormat: () => void;
  onMove: (delta: -1 | 1) => void;
  onAiEdit: (view: EditorView) => void;
  onFix: () => void;
  onDragStart: (event: DragEvent) => void;
};

export function CodeCellView(props: CodeCellProps) {
  const { cell } = props;
  const language = cell.language === "typescript" ? "typescript" : "javascript";
  const { host, view } = useDraftEditor(
    cell.id,
    cell.filename,
    cell.source,
    language,
    props.drafts,
    props.restored,
    { onRun: props.onRun, onFormat: props.onFormat, onMove: props.onMove },
    props.register,
  );
  const [renaming, setRenaming] = useState<string | null>(null);
  const running = cell.status === "running";
  const commitRename = () => {
    if (renaming && renaming !== cell.filename) props.onRename(renaming.trim());
    setRenaming(null);
  };
  const exit = props.exit;
  return html`
    <section class="cell code" data-cell=${cell.filename}>
      <header class="row">
        <span class="handle" draggable=${true} title="Drag to move (or Alt+↑/↓ in the editor)"
          aria-label=${`Move ${cell.filename}`} onDragStart=${props.onDragStart}>⠿</span>
        ${renaming === null
          ? html`<button class="filename quiet" title="Rename" aria-label=${`Rename ${cell.filename}`}
              onClick=${() => setRenaming(cell.filename)}>${cell.filename}</button>`
          : html`<input class="filename" aria-label="Cell file name" value=${renaming} autofocus
              onInput=${(e: Event) => setRenaming((e.target as HTMLInputElement).value)}
              onKeyDown=${(e: KeyboardEvent) => {
                if (e.key === "Enter") commitRename();
                else if (e.key === "Escape") setRenaming(null);
              }}
              onBlur=${commitRename} />`}
        ${running
          ? html`<button class="stop" onClick=${props.onStop}>Stop</button>`
          : html`<button class="run" onClick=${props.onRun}>Run</button>`}
        <button class="quiet" title="Format with prettier (Shift+Alt+F)" onClick=${props.onFormat}>Format</button>
        <button class="quiet" onClick=${() => view.current && props.onAiEdit(view.current)}>AI edit</button>
        ${props.errors > 0 && html`<button class="quiet" title="Ask the AI to fix the problems tsserver reports"
          onClick=${props.onFix}>Fix with AI (${props.errors})</button>`}
        <button class="quiet" aria-label="Move up" onClick=${() => props.onMove(-1)}>↑</button>
        <button class="quiet" aria-label="Move down" onClick=${() => props.onMove(1)}>↓</button>
        <button class="quiet" onClick=${() => confirm(`Delete ${cell.filename}?`) && props.onDelete()}>Delete</button>
        ${exit && html`<span class=${exit.exitCode === 0 ? "muted" : "failed"}>
          ${exit.stopped ? "stopped" : exit.timedOut ? "timed out" : `exit ${exit.exitCode}`}${exit.durationMs !== undefined ? ` · ${exit.durationMs} ms` : ""}
        </span>`}
      </header>
      <div class="editor" ref=${host}></div>
      ${props.output.length > 0 && html`<pre class="output" aria-label="Output">${props.output.map(
        (o) => html`<span class=${o.type}>${o.data}</span>`,
      )}</pre>`}
    </section>
  `;
}

export function OtherCellView(props: { cell: CodeCell; drafts: Drafts; restored?: string; onDelete: () => void; onDragStart: (event: DragEvent) => void }) {
  const { cell } = props;
  const { host } = useDraftEditor(
    cell.id,
    cell.filename,
    cell.source,
    cell.filename.endsWith(".json") ? "json" : "text",
    props.drafts,
    props.restored,
  );
  return html`
    <section class="cell code other" data-cell=${cell.filename}>
      <header class="row">
        <span class="handle" draggable=${true} aria-label=${`Move ${cell.filename}`} onDragStart=${props.onDragStart}>⠿</span>
        <span class="filename">${cell.filename}</span>
        <span class="muted">kept from srcbook; peragus runs only .js, .mjs, .cjs, .ts, .mts and .cts cells</span>
        <button class="quiet" onClick=${() => confirm(`Delete ${cell.filename}?`) && props.onDelete()}>Delete</button>
      </header>
      <div class="editor" ref=${host}></div>
    </section>
  `;
}

export function MarkdownCell(props: {
  cell: Extract<Cell, { type: "markdown" }>;
  index: number;
  drafts: Drafts;
  restored?: string;
  onDelete: () => void;
  onMove: (delta: -1 | 1) => void;
  onDragStart: (event: DragEvent) => void;
}) {
  const { cell, drafts } = props;
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(props.restored ?? drafts.get(cell.id)?.value ?? cell.text);
  useEffect(() => {
    if (!drafts.get(cell.id)) setText(cell.text);
  }, [cell.text]);
  const rendered = useMemo(() => renderMarkdown(text), [text]);
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.altKey && (e.key === "ArrowUp" || e.key === "ArrowDown")) {
      e.preventDefault();
      props.onMove(e.key === "ArrowUp" ? -1 : 1);
    }
  };
  return html`
    <section class="cell markdown" tabindex="0" onKeyDown=${onKeyDown}>
      <span class="handle" draggable=${true} aria-label="Move this markdown cell" onDragStart=${props.onDragStart}>⠿</span>
      ${editing
        ? html`<textarea aria-label="Markdown" value=${text} rows=${Math.max(3, text.split("\n").length + 1)}
            onInput=${(e: Event) => {
              const value = (e.target as HTMLTextAreaElement).value;
              setText(value);
              drafts.edit(cell.id, `markdown#${props.index}`, "text", value);
            }} />
          <button onClick=${() => setEditing(false)}>Done</button>`
        : html`<div class="rendered" onDblClick=${() => setEditing(true)} dangerouslySetInnerHTML=${{ __html: rendered }}></div>
          <div class="row hover">
            <button class="quiet" onClick=${() => setEditing(true)}>Edit</button>
            <button class="quiet" aria-label="Move up" onClick=${() => props.onMove(-1)}>↑</button>
            <button class="quiet" aria-label="Move down" onClick=${() => props.onMove(1)}>↓</button>
            <button class="quiet" onClick=${() => confirm("Delete this markdown cell?") && props.onDelete()}>Delete</button>
          </div>`}
    </section>
  `;
}
