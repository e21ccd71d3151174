// A notebook page: title, markdown and code cells, run / stop / run all, streaming output, the
// package.json and tsconfig.json cells, autosave, reordering, settings, AI help, and (loaded
// lazily) tsserver's diagnostics, completion, hover and go-to-definition.

import type { EditorView } from "@codemirror/view";
import { html } from "htm/preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, type Cell, type Settings } from "./api";
import { CodeCellView, MarkdownCell, OtherCellView, TitleInput, type Exit, type Output } from "./cells";
import { Drafts } from "./drafts";
import { features, replaceDoc } from "./editor";
import type { LanguageClient, Position, TsDiagnostic } from "./language";
import { problemText } from "./list";
import { PackageCell, TsconfigCell } from "./packagecell";
import { SettingsPanel } from "./settings";
import { socket } from "./socket";
import { ThemeButton } from "./theme";

type Diagnostics = { errors: TsDiagnostic[]; suggestions: TsDiagnostic[] };
type Language = typeof import("./language");

function keyOf(cell: Cell, index: number): string {
  return "filename" in cell ? cell.filename : `${cell.type}#${index}`;
}

function valueOf(cell: Cell): string {
  return "source" in cell ? cell.source : cell.text;
}

const isBody = (c: Cell) => c.type !== "title" && c.type !== "package.json";

export function NotebookPage({ name }: { name: string }) {
  const topic = `session:${name}`;
  const ws = socket();
  const drafts = useMemo(() => new Drafts(name, ws), [name]);
  const [cells, setCells] = useState<Cell[] | null>(null);
  const [tsconfig, setTsconfig] = useState<string | null>(null);
  const [outputs, setOutputs] = useState<Record<string, Output[]>>({});
  const [exits, setExits] = useState<Record<string, Exit>>({});
  const [errorCounts, setErrorCounts] = useState<Record<string, number>>({});
  const [installLog, setInstallLog] = useState<string>("");
  const [installing, setInstalling] = useState(false);
  const [undeclared, setUndeclared] = useState<string[]>([]);
  const [connected, setConnected] = useState(true);
  const [typescript, setTypescript] = useState("");
  const [tsserver, setTsserver] = useState("stopped");
  const [notice, setNotice] = useState("");
  const [settings, setSettings] = useState<Settings | null>(null);
  const [showSettings, setShowSettings] = useState(false);
  const [prompt, setPrompt] = useState("");
  const restored = useRef<Map<string, string>>(new Map());
  const runAll = useRef<string[]>([]);
  const views = useRef(new Map<string, EditorView>());
  const diagnostics = useRef(new Map<string, Diagnostics>());
  const language = useRef<{ module: Language; client: LanguageClient } | null>(null);
  const dragged = useRef<string | null>(null);
  const cellsRef = useRef<Cell[] | null>(null);
  cellsRef.current = cells;

  const send = (event: string, payload: unknown) => ws.send(topic, event, payload);

  const applyDiagnostics = (cellId: string) => {
    const view = views.current.get(cellId);
    const found = diagnostics.current.get(cellId);
    if (view && found && language.current) language.current.module.showDiagnostics(view, found.errors, found.suggestions);
  };
  const register = (cellId: string, view: EditorView | null) => {
    if (!view) {
      views.current.delete(cellId);
      return;
    }
    views.current.set(cellId, view);
    if (language.current) {
      view.dispatch({ effects: features.reconfigure(language.current.client.extensions(cellId)) });
      applyDiagnostics(cellId);
    }
  };
  const goTo = (cellId: string, position: Position) => {
    const view = views.current.get(cellId);
    if (!view || !language.current) return;
    const pos = language.current.module.offsetOf(view.state.doc, position);
    view.focus();
    view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
  };

  useEffect(() => {
    ws.onStatus = setConnected;
    api.settings().then(setSettings, () => {});
    let unsubscribe = () => {};
    api.open(name).then(
      (state) => {
        const list = state.cells.map((c, i) => ({ id: c.id, key: keyOf(c, i), value: valueOf(c) }));
        restored.current = drafts.restore(list);
        setCells(state.cells);
        setTsconfig(state.tsconfig);
        unsubscribe = ws.subscribe(topic, handle);
        send("deps:validate", {});
        // The language features are their own chunk: the editors are usable before it arrives.
        import("./language").then((module) => {
          const client = new module.LanguageClient({
            send,
            flush: (cellId) => drafts.flushCell(cellId),
            goTo,
            notice: setNotice,
          });
          language.current = { module, client };
          for (const [cellId, view] of views.current) register(cellId, view);
          // Started once the page is up: starting tsserver costs the server a Node start.
          send("tsserver:start", {});
        });
      },
      (e) => setNotice(problemText(e)),
    );
    return () => unsubscribe();
  }, [name]);

  function handle(event: string, payload: any): void {
    if (event === "subscribed") {
      // A reconnection: the server may have restarted (new cell ids); drafts it never saved are
      // matched to its cells and sent again.
      const list = (payload.session.cells as Cell[]).map((c, i) => ({ id: c.id, key: keyOf(c, i), value: valueOf(c) }));
      restored.current = drafts.restore(list);
      setCells(payload.session.cells);
      setTsconfig(payload.session.tsconfig);
    } else if (event === "cell:updated") {
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
    } else if (event === "cell:formatted") {
      drafts.forget(payload.cellId);
      const view = views.current.get(payload.cellId);
      if (view) replaceDoc(view, payload.cell.source);
    } else if (event === "cell:output") {
      setOutputs((all) => ({ ...all, [payload.cellId]: [...(all[payload.cellId] ?? []), payload.output] }));
    } else if (event === "cell:notice") {
      const line: Output = { type: "notice", data: payload.message + "\n" };
      setOutputs((all) => ({ ...all, [payload.cellId]: [...(all[payload.cellId] ?? []), line] }));
    } else if (event === "cell:error") {
      setOutputs((all) => ({ ...all, [payload.cellId]: [{ type: "stderr", data: payload.message }] }));
    } else if (event === "cell:created") {
      setCells((all) => {
        if (!all || all.some((c) => c.id === payload.cell.id)) return all;
        const fixed = all.filter((c) => !isBody(c)).length;
        const next = [...all];
        next.splice(fixed + payload.index, 0, payload.cell);
        return next;
      });
    } else if (event === "cell:moved") {
      setCells((all) => {
        if (!all) return all;
        const cell = all.find((c) => c.id === payload.cellId);
        if (!cell) return all;
        const fixed = all.filter((c) => !isBody(c));
        const body = all.filter((c) => isBody(c) && c.id !== payload.cellId);
        body.splice(payload.index, 0, cell);
        return [...fixed, ...body];
      });
    } else if (event === "cell:deleted") {
      setCells((all) => all && all.filter((c) => c.id !== payload.cellId));
    } else if (event === "tsserver:cell:diagnostics" || event === "tsserver:cell:suggestions") {
      const found = diagnostics.current.get(payload.cellId) ?? { errors: [], suggestions: [] };
      if (event === "tsserver:cell:diagnostics") {
        found.errors = payload.diagnostics;
        setErrorCounts((all) => ({ ...all, [payload.cellId]: payload.diagnostics.length }));
      } else found.suggestions = payload.diagnostics;
      diagnostics.current.set(payload.cellId, found);
      applyDiagnostics(payload.cellId);
    } else if (event.startsWith("tsserver:cell:") && event.endsWith(":response")) {
      language.current?.client.answer(payload);
    } else if (event === "tsserver:status") {
      setTsserver(payload.status);
      setTypescript(payload.status === "ready" ? "" : payload.message ?? `TypeScript: ${payload.status}…`);
    } else if (event === "tsconfig.json:updated") {
      setTsconfig(payload.source);
    } else if (event === "deps:validate:response") {
      setUndeclared(payload.packages);
    } else if (event === "deps:install:log") {
      setInstallLog((log) => (log + payload.log.data).slice(-20_000));
    } else if (event === "deps:install:status") {
      setInstalling(payload.status === "installing");
      if (payload.status === "installing") setInstallLog("");
      if (payload.status === "failed") setNotice(payload.message ?? `npm install failed (exit ${payload.code})`);
      if (payload.status === "complete") send("deps:validate", {});
    } else if (event === "ai:generated") {
      const view = views.current.get(payload.cellId);
      if (view) replaceDoc(view, payload.output);
      setNotice("");
    } else if (event === "error") {
      setNotice([payload.message, ...(payload.suggestions ?? [])].join(" "));
      runAll.current = [];
    }
  }

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
    runAll.current = (cells ?? []).filter((c) => c.type === "code" && c.runnable).map((c) => c.id);
    if (runAll.current.length) run(runAll.current[0]);
  };
  const addCell = (type: "code" | "markdown", index: number) =>
    send("cell:create", { index, cell: type === "markdown" ? { type, text: "New notes" } : { type, source: "" } });
  const move = (cellId: string, delta: -1 | 1) => {
    const body = (cellsRef.current ?? []).filter(isBody);
    const index = body.findIndex((c) => c.id === cellId) + delta;
    if (index < 0 || index >= body.length) return;
    drafts.flush();
    send("cell:move", { cellId, index });
  };
  const format = (cellId: string) => {
    drafts.flushCell(cellId);
    send("cell:format", { cellId });
  };
  const needsAi = () => {
    if (settings?.ai_key_set) return false;
    setNotice("AI help needs a provider and key: open Settings and set them.");
    return true;
  };
  const aiEdit = async (cellId: string, filename: string, view: EditorView) => {
    if (needsAi()) return;
    const request = window.prompt(`How should the AI change ${filename}?`);
    if (!request) return;
    try {
      setNotice("Asking the AI…");
      const { source } = await api.edit(name, cellId, request);
      replaceDoc(view, source);
      setNotice("");
    } catch (e) {
      setNotice(problemText(e));
    }
  };
  const fix = (cellId: string) => {
    if (needsAi()) return;
    const found = diagnostics.current.get(cellId)?.errors ?? [];
    const text = found.map((d) => `line ${d.start.line}, column ${d.start.offset}: ${d.text}`).join("\n");
    drafts.flushCell(cellId);
    setNotice("Asking the AI to fix the diagnostics…");
    send("ai:fix_diagnostics", { cellId, diagnostics: text });
  };
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
  const saveAsTemplate = async () => {
    const current = cellsRef.current?.find((c) => c.type === "title");
    const title = window.prompt("Template name", current && "text" in current ? current.text : name);
    if (!title) return;
    drafts.flush();
    try {
      const template = await api.saveTemplate(name, title);
      setNotice(`Saved as the template “${template.title}”: choose it when creating a notebook.`);
    } catch (e) {
      setNotice(problemText(e));
    }
  };
  const dragStart = (cellId: string) => (event: DragEvent) => {
    dragged.current = cellId;
    event.dataTransfer?.setData("text/plain", cellId);
    if (event.dataTransfer) event.dataTransfer.effectAllowed = "move";
  };
  const dropAt = (index: number) => (event: DragEvent) => {
    event.preventDefault();
    const cellId = dragged.current;
    dragged.current = null;
    if (cellId) {
      drafts.flush();
      send("cell:move", { cellId, index });
    }
  };

  if (cells === null) return html`<main><p>${notice || "Opening…"}</p></main>`;
  const body = cells.filter(isBody);
  const title = cells.find((c) => c.type === "title");
  const pkg = cells.find((c) => c.type === "package.json");

  return html`
    <main class="notebook" data-tsserver=${tsserver}>
      <nav class="row">
        <a href="/">← Notebooks</a>
        <span class=${connected ? "status ok" : "status down"}>${connected ? "connected" : "reconnecting…"}</span>
        ${typescript && html`<span class="status muted" role="status">${typescript}</span>`}
        <span class="spacer"></span>
        <button onClick=${startRunAll}>Run all</button>
        <a class="button" href=${`/api/notebooks/${encodeURIComponent(name)}/export`}>Export .src.md</a>
        <button onClick=${saveAsTemplate}>Save as template</button>
        <button onClick=${() => setShowSettings(true)}>Settings</button>
        <${ThemeButton} />
      </nav>
      ${notice && html`<p class="error" role="alert">${notice}</p>`}
      ${title && html`<${TitleInput} cell=${title} drafts=${drafts} restored=${restored.current.get(title.id)} />`}
      ${pkg && html`<${PackageCell} cell=${pkg} drafts=${drafts} restored=${restored.current.get(pkg.id)}
        installing=${installing} log=${installLog} undeclared=${undeclared}
        onInstall=${(packages: string[]) => send("deps:install", { packages })} onValidate=${() => send("deps:validate", {})} />`}
      ${tsconfig !== null && html`<${TsconfigCell} source=${tsconfig} onSave=${(source: string) => send("tsconfig.json:update", { source })} />`}
      ${body.map(
        (cell, index) => html`<div key=${cell.id} class="cell-wrap" onDragOver=${(e: DragEvent) => e.preventDefault()} onDrop=${dropAt(index)}>
          ${cell.type === "markdown"
            ? html`<${MarkdownCell} cell=${cell} index=${index} drafts=${drafts} restored=${restored.current.get(cell.id)}
                onDelete=${() => send("cell:delete", { cellId: cell.id })} onMove=${(d: -1 | 1) => move(cell.id, d)}
                onDragStart=${dragStart(cell.id)} />`
            : cell.type === "code" && !cell.runnable
              ? html`<${OtherCellView} cell=${cell} drafts=${drafts} restored=${restored.current.get(cell.id)}
                  onDelete=${() => send("cell:delete", { cellId: cell.id })} onDragStart=${dragStart(cell.id)} />`
              : cell.type === "code" && html`<${CodeCellView} cell=${cell} drafts=${drafts} restored=${restored.current.get(cell.id)}
                output=${outputs[cell.id] ?? []} exit=${exits[cell.id]} aiReady=${settings?.ai_key_set}
                errors=${errorCounts[cell.id] ?? 0} register=${register}
                onRun=${() => run(cell.id)} onStop=${() => send("cell:stop", { cellId: cell.id })}
                onRename=${(filename: string) => send("cell:rename", { cellId: cell.id, filename })}
                onDelete=${() => send("cell:delete", { cellId: cell.id })}
                onFormat=${() => format(cell.id)} onMove=${(d: -1 | 1) => move(cell.id, d)}
                onAiEdit=${(view: EditorView) => aiEdit(cell.id, cell.filename, view)}
                onFix=${() => fix(cell.id)} onDragStart=${dragStart(cell.id)} />`}
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
      <p class="muted">Press <kbd>?</kbd> for keyboard shortcuts.</p>
      ${showSettings && html`<${SettingsPanel} notebook=${name} onClose=${(s: Settings | null) => { setShowSettings(false); if (s) setSettings(s); }} />`}
    </main>
  `;
}
