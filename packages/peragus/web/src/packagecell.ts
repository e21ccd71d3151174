// The package.json cell (install, imports it lacks, npm search) and the tsconfig.json cell.

import { html } from "htm/preact";
import { useState } from "preact/hooks";
import { api, type Cell, type NpmPackage } from "./api";
import { useDraftEditor, useEditor } from "./cells";
import type { Drafts } from "./drafts";
import { problemText } from "./list";

export function PackageCell(props: {
  cell: Extract<Cell, { type: "package.json" }>;
  drafts: Drafts;
  restored?: string;
  installing: boolean;
  log: string;
  undeclared: string[];
  onInstall: (packages: string[]) => void;
  onValidate: () => void;
}) {
  const { cell } = props;
  const { host } = useDraftEditor(cell.id, "package.json", cell.source, "json", props.drafts, props.restored);
  const [query, setQuery] = useState("");
  const [found, setFound] = useState<NpmPackage[] | null>(null);
  const [message, setMessage] = useState("");
  const install = (packages: string[]) => {
    props.drafts.flush();
    props.onInstall(packages);
  };
  const search = async (event: Event) => {
    event.preventDefault();
    if (!query.trim()) return;
    setMessage("Searching npm…");
    try {
      const reply = await api.searchNpm(query.trim());
      setFound(reply.packages);
      setMessage(
        reply.packages.length === 0
          ? `No package named ${query.trim()}.`
          : reply.exact_name_only
            ? "This registry only finds packages by their exact name."
            : "",
      );
    } catch (e) {
      setMessage(problemText(e));
    }
  };
  return html`
    <details class="cell package" open=${props.undeclared.length > 0}>
      <summary>package.json${props.undeclared.length > 0 && html` <span class="failed">· imports missing from it</span>`}</summary>
      <div class="editor" ref=${host}></div>
      <div class="row">
        <button disabled=${props.installing} onClick=${() => install([])}>${props.installing ? "Installing…" : "Install"}</button>
        <button class="quiet" onClick=${props.onValidate}>Check imports</button>
      </div>
      ${props.undeclared.length > 0 && html`<p class="row" role="status">
        <span>The cells import <code>${props.undeclared.join(", ")}</code>, which package.json does not list.</span>
        <button onClick=${() => install(props.undeclared)}>Add and install</button>
      </p>`}
      <form class="row" onSubmit=${search}>
        <input aria-label="Search npm" placeholder="Search npm" value=${query}
          onInput=${(e: Event) => setQuery((e.target as HTMLInputElement).value)} />
        <button type="submit">Search</button>
      </form>
      ${message && html`<p class="muted">${message}</p>`}
      ${found && found.length > 0 && html`<ul class="npm">
        ${found.map((p) => html`<li key=${p.name}><code>${p.name}</code> <span class="muted">${p.version} ${p.description}</span>
          <button class="quiet" onClick=${() => install([p.name])}>Add</button></li>`)}
      </ul>`}
      ${props.log && html`<pre class="output">${props.log}</pre>`}
    </details>
  `;
}

export function TsconfigCell(props: { source: string; onSave: (source: string) => void }) {
  // Edits stay here until Save: a half-typed tsconfig.json must not restart tsserver.
  const [text, setText] = useState(props.source);
  const { host } = useEditor({
    cellId: "tsconfig.json",
    source: props.source,
    initial: props.source,
    language: "json",
    onChange: setText,
    accept: () => true,
  });
  return html`
    <details class="cell tsconfig">
      <summary>tsconfig.json</summary>
      <div class="editor" ref=${host}></div>
      <div class="row">
        <button disabled=${text === props.source} onClick=${() => props.onSave(text)}>Save and restart TypeScript</button>
      </div>
    </details>
  `;
}
