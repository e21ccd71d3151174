// The notebook list: search, filter (language, modified) and sort; open, create (blank or from a
// template), import (a file, dropped or chosen, or a URL), the examples gallery, and delete.

import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { api, ApiError, type Example, type ListQuery, type NotebookSummary, type Template } from "./api";
import { ThemeButton } from "./theme";

export function problemText(error: unknown): string {
  if (error instanceof ApiError) return [error.problem.message, ...(error.problem.suggestions ?? [])].join(" ");
  return String(error);
}

export function NotebookList() {
  const [notebooks, setNotebooks] = useState<NotebookSummary[] | null>(null);
  const [title, setTitle] = useState("");
  const [language, setLanguage] = useState("typescript");
  const [url, setUrl] = useState("");
  const [error, setError] = useState("");
  const [examples, setExamples] = useState<Example[]>([]);
  const [templates, setTemplates] = useState<Template[]>([]);
  const [template, setTemplate] = useState("");
  const [dropping, setDropping] = useState(false);
  const [query, setQuery] = useState<ListQuery>({ sort: "modified" });

  const refresh = () => api.notebooks(query).then(setNotebooks, (e) => setError(problemText(e)));
  useEffect(() => {
    api.examples().then(setExamples, () => {});
    api.templates().then(setTemplates, () => {});
  }, []);
  useEffect(() => {
    const timer = window.setTimeout(refresh, query.q ? 150 : 0);
    return () => window.clearTimeout(timer);
  }, [query]);
  const filter = (name: keyof ListQuery) => (e: Event) =>
    setQuery({ ...query, [name]: (e.target as HTMLInputElement | HTMLSelectElement).value });
  const go = (name: string) => (location.href = `/notebooks/${encodeURIComponent(name)}`);
  const attempt = (work: Promise<unknown>) => work.catch((e) => setError(problemText(e)));

  const create = (event: Event) => {
    event.preventDefault();
    if (title.trim()) attempt(api.create(title.trim(), language, template).then((r) => go(r.name)));
  };
  const importFile = async (event: Event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (file) attempt(api.importText(await file.text()).then((r) => go(r.name)));
  };
  const importDropped = async (event: DragEvent) => {
    event.preventDefault();
    setDropping(false);
    const file = event.dataTransfer?.files?.[0];
    if (!file) return;
    if (!file.name.endsWith(".md")) {
      setError(`${file.name} is not a .src.md file: drop a srcbook notebook here to import it.`);
      return;
    }
    attempt(api.importText(await file.text()).then((r) => go(r.name)));
  };
  const importUrl = (event: Event) => {
    event.preventDefault();
    if (url.trim()) attempt(api.importUrl(url.trim()).then((r) => go(r.name)));
  };
  const remove = (name: string) => {
    if (confirm(`Delete ${name}? It moves to the notebooks folder's .trash.`)) attempt(api.remove(name).then(refresh));
  };

  return html`
    <main class=${dropping ? "list dropping" : "list"} aria-label="Notebooks"
      onDragOver=${(e: DragEvent) => { e.preventDefault(); setDropping(true); }}
      onDragLeave=${(e: DragEvent) => e.target === e.currentTarget && setDropping(false)}
      onDrop=${importDropped}>
      <nav class="row"><h1>Notebooks</h1><span class="spacer"></span><a href="/status">Status</a><${ThemeButton} /></nav>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <form class="row" onSubmit=${create}>
        <input aria-label="New notebook title" placeholder="New notebook title" value=${title}
          onInput=${(e: Event) => setTitle((e.target as HTMLInputElement).value)} />
        <select aria-label="Language" value=${language} disabled=${template !== ""}
          onChange=${(e: Event) => setLanguage((e.target as HTMLSelectElement).value)}>
          <option value="typescript">TypeScript</option>
          <option value="javascript">JavaScript</option>
        </select>
        <select aria-label="Template" value=${template}
          onChange=${(e: Event) => setTemplate((e.target as HTMLSelectElement).value)}>
          <option value="">Blank</option>
          ${templates.map((t) => html`<option value=${t.name} title=${t.description}>${t.title}${t.builtin ? "" : " (yours)"}</option>`)}
        </select>
        <button type="submit">Create</button>
      </form>
      <div class="row">
        <label class="button">Import .src.md<input type="file" accept=".md,.src.md" hidden onChange=${importFile} /></label>
        <form class="row" onSubmit=${importUrl}>
          <input aria-label="Import from URL" placeholder="https://…/notebook.src.md" value=${url}
            onInput=${(e: Event) => setUrl((e.target as HTMLInputElement).value)} />
          <button type="submit">Import URL</button>
        </form>
      </div>
      <div class="row filters" role="search">
        <input type="search" aria-label="Search notebooks" placeholder="Search titles" value=${query.q ?? ""} onInput=${filter("q")} />
        <select aria-label="Show only" value=${query.language ?? ""} onChange=${filter("language")}>
          <option value="">Any language</option>
          <option value="typescript">TypeScript</option>
          <option value="javascript">JavaScript</option>
        </select>
        <select aria-label="Edited" value=${query.modified_within_days ?? ""} onChange=${filter("modified_within_days")}>
          <option value="">Modified any time</option>
          <option value="1">Today</option>
          <option value="7">This week</option>
          <option value="30">This month</option>
        </select>
        <select aria-label="Sort" value=${query.sort ?? "modified"} onChange=${filter("sort")}>
          <option value="modified">Recently modified</option>
          <option value="title">Title</option>
          <option value="name">Name</option>
        </select>
      </div>
      ${notebooks === null
        ? html`<p>Loading…</p>`
        : notebooks.length === 0
          ? html`<p class="muted">${query.q || query.language || query.modified_within_days
              ? "No notebook matches."
              : "No notebooks yet: create one or import a srcbook file."}</p>`
          : html`<ul class="notebooks">
              ${notebooks.map(
                (n) => html`<li key=${n.name}>
                  <a href=${`/notebooks/${encodeURIComponent(n.name)}`}>${n.title}</a>
                  <span class="muted">${n.error ?? `${n.language}, ${n.cells} cells`}</span>
                  <button class="quiet" aria-label=${`Delete ${n.name}`} onClick=${() => remove(n.name)}>Delete</button>
                </li>`,
              )}
            </ul>`}
      <p class="muted drop-hint">Drop a .src.md file anywhere here to import it.</p>
      ${examples.length > 0 && html`<section class="examples" aria-label="Examples">
        <h2>Examples</h2>
        <div class="gallery">
          ${examples.map((example) => html`<article class="example" key=${example.name}>
            <h3>${example.title}</h3>
            <p class="muted">${example.description}</p>
            <button aria-label=${`Open example ${example.title}`}
              onClick=${() => attempt(api.importExample(example.name).then((r) => go(r.name)))}>Open</button>
          </article>`)}
        </div>
      </section>`}
    </main>
  `;
}
