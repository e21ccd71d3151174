// A notebook page: title, markdown and code cells, run / stop / run all, streaming output, the
// package.json cell with install, autosave, settings and AI help.

import type { EditorView } from "@codemirror/view";
import { html } from "htm/preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, type Cell, type Settings } from "./api";
import { Drafts } from "./drafts";
import { createEditor, replaceDoc } from "./editor";
import { problemText } from "./list";
import { renderMarkdown } from "./markdown";
import { SettingsPanel } from "./settings";
import { socket } from "./socket";

type Output = { type: "stdout" | "stderr"; data: string };
type Exit = { exitCode: number | null; stopped?: boolean; timedOut?: boolean; durationMs?: number };
type CodeCell = Extract<Cell, { type: "code" }>;

function keyOf(cell: Cell, index: number): string {
  return "filename" in cell ? cell.filename : `${cell.type}#${index}`;
}

function valueOf(cell: Cell): string {
  return "source" in cell ? cell.source : cell.text;
}

export function NotebookPage({ name }: { name: string }) {
  const topic = `session:${name}`;
  const ws = socket();
  const drafts = useMemo(() => new Drafts(name, ws), [name]);
  const [cells, setCells] = useState<Cell[] | null>(null);
  const [outputs, setOutputs] = useState<Record<string, Output[]>>({});
  const [exits, setExits] = useState<Record<string, Exit>>({});
  const [installLog, setInstallLog] = useState<string>("");
  const [installing, setInstalling] = useState(false);
  const [connected, setConnected] = useState(true);
  const [notice, setNotice] = useState("");
  const [settings, setSettings] = useState<Settings | null>(null);
  const [showSettings, setShowSettings] = useState(false);
  const [prompt, setPrompt] = useState("");
  const restored = useRef<Map<string, string>>(new Map());
  const runAll = useRef<string[]>([]);

  useEffect(() => {
    ws.onStatus = setConnected;
    api.settings().then(setSettings, () => {});
    let unsubscribe = () => {};
    api.open(name).then(
      (state) => {
        const list = state.cells.map((c, i) => ({ id: c.id, key: keyOf(c, i), value: valueOf(c) }));
        restored.current = drafts.restore(list);
        setCells(state.cells);
        unsubscribe = ws.subscribe(topic, handle);
      },
      (e) => setNotice(problemText(e)),
    );
    return () => unsubscribe();
  }, [name]);

  function handle(event: string, payload: any): void {
      if (event === "subscribed") setCells(payload.session.cells);
      else if (event === "cell:updated") {
        const cell: Cell = payload.cell;
        drafts.acknowledge(cell.id, valueOf(cell));
        setCells((all) => all && all.map((c) => (c.id === cell.id ? cell : c)));
        if ("exitCode" in payload) {
          setExits((all) => ({ ...all, [cell.id]: payload }));
          continueRunAll(cell.id, payload.exitCode === 0);
        } else if (cell.type === "code" && cell.status === "running") {
          setOutputs((all) => ({ ...all, [cell.id]: [] }));
          setExits((all) => ({ ...all, [cell.id]: undefined as unknown as Exit }));
        }
      } else if (event === "cell:output") {
        setOutputs((all) => ({ ...all, [payload.cellId]: [...(all[payload.cellId] ?? []), payload.output] }));
      } else if (event === "cell:error") {
        setOutputs((all) => ({ ...all, [payload.cellId]: [{ type: "stderr", data: payload.message }] }));
      } else if (event === "cell:created") {
        setCells((all) => {
          if (!all || all.some((c) => c.id === payload.cell.id)) return all;
          const fixed = all.filter((c) => c.type === "title" || c.type === "package.json").length;
          const next = [...all];
          next.splice(fixed + payload.index, 0, payload.cell);
          return next;
        });
      } else if (event === "cell:deleted") {
        setCells((all) => all && all.filter((c) => c.id !== payload.cellId));
      } else if (event === "deps:install:log") {
        setInstallLog((log) => (log + payload.log.data).slice(-20_000));
      } else if (event === "deps:install:status") {
        setInstalling(payload.status === "installing");
        if (payload.status === "installing") setInstallLog("");
        if (payload.status === "failed") setNotice(payload.message ?? `npm install failed (exit ${payload.code})`);
      } else if (event === "error") {
        setNotice([payload.message, ...(payload.suggestions ?? [])].join(" "));
        runAll.current = [];
      }
  }

  const send = (event: string, payload: unknown) => ws.send(topic, event, payload);
  const run = (cellId: string) => {
    drafts.flush();
    setNotice("");
    send("cell:exec", { cellId });
  };
  const continueRunAll = (finished: string, ok: boolean) => {
    if (runAll.current[0] !== finished) return;
    runAll.current.shift();
    if (!ok) runAll.current = [];
    else if (runAll.current.length) run(runAll.current[0]);
  };
  const startRunAll = () => {
    runAll.current = (cells ?? []).filter((c) => c.type === "code").map((c) => c.id);
    if (runAll.current.length) run(runAll.current[0]);
  };
  const addCell = (type: "code" | "markdown", index: number) =>
    send("cell:create", { index, cell: type === "markdown" ? { type, text: "New notes" } : { type, source: "" } });
  const generate = async (event: Event) => {
    event.preventDefault();
    if (!settings?.ai_key_set) {
      setShowSettings(true);
      return;
    }
    try {
      setNotice("Asking the AI…");
      await api.generate(name, prompt, 10_000);
      setPrompt("");
      setNotice("");
    } catch (e) {
      setNotice(problemText(e));
    }
  };

  if (cells === null) return html`<main><p>${notice || "Opening…"}</p></main>`;
  const body = cells.filter((c) => c.type !== "title" && c.type !== "package.json");
  const title = cells.find((c) => c.type === "title");
  const pkg = cells.find((c) => c.type === "package.json");

  return html`
    <main class="notebook">
      <nav class="row">
        <a href="/">← Notebooks</a>
        <span class=${connected ? "status ok" : "status down"}>${connected ? "connected" : "reconnecting…"}</span>
        <button onClick=${startRunAll}>Run all</button>
        <a class="button" href=${`/api/notebooks/${encodeURIComponent(name)}/export`}>Export .src.md</a>
        <button onClick=${() => setShowSettings(true)}>Settings</button>
      </nav>
      ${notice && html`<p class="error" role="alert">${notice}</p>`}
      ${title && html`<${TitleInput} cell=${title} drafts=${drafts} restored=${restored.current.get(title.id)} />`}
      ${pkg && html`<${PackageCell} cell=${pkg} drafts=${drafts} restored=${restored.current.get(pkg.id)}
        installing=${installing} log=${installLog} onInstall=${() => send("deps:install", {})} />`}
      ${body.map(
        (cell, index) => html`<div key=${cell.id} class="cell-wrap">
          ${cell.type === "markdown"
            ? html`<${MarkdownCell} cell=${cell} index=${index} drafts=${drafts} restored=${restored.current.get(cell.id)}
                onDelete=${() => send("cell:delete", { cellId: cell.id })} />`
            : html`<${CodeCellView} cell=${cell} drafts=${drafts} restored=${restored.current.get(cell.id)}
                output=${outputs[cell.id] ?? []} exit=${exits[cell.id]} session=${name} aiReady=${settings?.ai_key_set}
                onRun=${() => run(cell.id)} onStop=${() => send("cell:stop", { cellId: cell.id })}
                onRename=${(filename: string) => send("cell:rename", { cellId: cell.id, filename })}
                onDelete=${() => send("cell:delete", { cellId: cell.id })} onNotice=${setNotice} />`}
          <div class="add">
            <button class="quiet" onClick=${() => addCell("code", index + 1)}>+ Code</button>
            <button class="quiet" onClick=${() => addCell("markdown", index + 1)}>+ Markdown</button>
          </div>
        </div>`,
      )}
      ${body.length === 0 && html`<div class="add">
        <button onClick=${() => addCell("code", 0)}>+ Code</button>
        <button onClick=${() => addCell("markdown", 0)}>+ Markdown</button>
      </div>`}
      <form class="row ai" onSubmit=${generate}>
        <input aria-label="Generate cells" placeholder=${settings?.ai_key_set ? "Describe cells for the AI to write" : "AI: set a provider key in Settings to generate cells"}
          value=${prompt} onInput=${(e: Event) => setPrompt((e.target as HTMLInputElement).value)} />
        <button type="submit">Generate</button>
      </form>
      ${showSettings && html`<${SettingsPanel} onClose=${(s: Settings | null) => { setShowSettings(false); if (s) setSettings(s); }} />`}
    </main>
  `;
}

function TitleInput(props: { cell: Extract<Cell, { type: "title" }>; drafts: Drafts; restored?: string }) {
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

function useEditor(
  cellId: string,
  key: string,
  source: string,
  language: "typescript" | "javascript" | "json",
  drafts: Drafts,
  restored: string | undefined,
  onRun?: () => void,
) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const runRef = useRef(onRun);
  runRef.current = onRun;
  useEffect(() => {
    view.current = createEditor(host.current!, {
      doc: restored ?? drafts.get(cellId)?.value ?? source,
      language,
      onChange: (value) => drafts.edit(cellId, key, "source", value),
      onRun: onRun && (() => runRef.current?.()),
    });
    return () => view.current?.destroy();
  }, [cellId]);
  useEffect(() => {
    // The server's copy wins only when nothing typed here is still unsaved.
    if (view.current && !drafts.get(cellId)) replaceDoc(view.current, source);
  }, [source]);
  return { host, view };
}

function CodeCellView(props: {
  cell: CodeCell;
  drafts: Drafts;
  restored?: string;
  output: Output[];
  exit?: Exit;
  session: string;
  aiReady?: boolean;
  onRun: () => void;
  onStop: () => void;
  onRename: (filename: string) => void;
  onDelete: () => void;
  onNotice: (text: string) => void;
}) {
  const { cell } = props;
  const language = cell.language === "typescript" ? "typescript" : "javascript";
  const { host, view } = useEditor(cell.id, cell.filename, cell.source, language, props.drafts, props.restored, props.onRun);
  const running = cell.status === "running";
  const rename = () => {
    const filename = prompt("Cell file name", cell.filename);
    if (filename && filename !== cell.filename) props.onRename(filename);
  };
  const edit = async () => {
    if (!props.aiReady) {
      props.onNotice("AI help needs a provider and key: open Settings and set them.");
      return;
    }
    const request = prompt(`How should the AI change ${cell.filename}?`);
    if (!request) return;
    try {
      props.onNotice("Asking the AI…");
      const { source } = await api.edit(props.session, cell.id, request);
      if (view.current) replaceDoc(view.current, source);
      props.onNotice("");
    } catch (e) {
      props.onNotice(problemText(e));
    }
  };
  const exit = props.exit;
  return html`
    <section class="cell code" data-cell=${cell.filename}>
      <header class="row">
        <button class="filename quiet" title="Rename" onClick=${rename}>${cell.filename}</button>
        ${running
          ? html`<button class="stop" onClick=${props.onStop}>Stop</button>`
          : html`<button class="run" onClick=${props.onRun}>Run</button>`}
        <button class="quiet" onClick=${edit}>AI edit</button>
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

function MarkdownCell(props: {
  cell: Extract<Cell, { type: "markdown" }>;
  index: number;
  drafts: Drafts;
  restored?: string;
  onDelete: () => void;
}) {
  const { cell, drafts } = props;
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(props.restored ?? drafts.get(cell.id)?.value ?? cell.text);
  useEffect(() => {
    if (!drafts.get(cell.id)) setText(cell.text);
  }, [cell.text]);
  const rendered = useMemo(() => renderMarkdown(text), [text]);
  return html`
    <section class="cell markdown">
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
            <button class="quiet" onClick=${() => confirm("Delete this markdown cell?") && props.onDelete()}>Delete</button>
          </div>`}
    </section>
  `;
}

function PackageCell(props: {
  cell: Extract<Cell, { type: "package.json" }>;
  drafts: Drafts;
  restored?: string;
  installing: boolean;
  log: string;
  onInstall: () => void;
}) {
  const { cell } = props;
  const { host } = useEditor(cell.id, "package.json", cell.source, "json", props.drafts, props.restored);
  return html`
    <details class="cell package">
      <summary>package.json</summary>
      <div class="editor" ref=${host}></div>
      <div class="row">
        <button disabled=${props.installing} onClick=${() => { props.drafts.flush(); props.onInstall(); }}>
          ${props.installing ? "Installing…" : "Install"}
        </button>
      </div>
      ${props.log && html`<pre class="output">${props.log}</pre>`}
    </details>
  `;
}
