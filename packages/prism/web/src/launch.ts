// Launch from a template with its parameters, then follow the launch on the same progress
// stream the CLI reads (GET /api/v1/workstations/NAME/progress, Server-Sent Events).

import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { api, problemFrom, type ProgressUpdate, type Problem, type Template, type Workstation } from "./api";
import { ProblemBox, problemOf } from "./ui";

const SIZES = ["", "XS", "S", "M", "L", "XL"];
const ARCHES = ["", "x86_64", "arm64"];

function Progress({ name, path }: { name: string; path: string }) {
  const [update, setUpdate] = useState<ProgressUpdate | null>(null);
  const [done, setDone] = useState<Workstation | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  useEffect(() => {
    const source = new EventSource(path);
    source.addEventListener("progress", (m) => setUpdate(JSON.parse((m as MessageEvent).data)));
    source.addEventListener("result", (m) => {
      setDone(JSON.parse((m as MessageEvent).data).workstation);
      source.close();
    });
    source.addEventListener("error", (m) => {
      const data = (m as MessageEvent).data;
      if (data) {
        setProblem(problemFrom(JSON.parse(data)));
        source.close();
      } // else: the connection dropped; EventSource subscribes again and prismd resumes it
    });
    return () => source.close();
  }, [path]);
  const percent = done ? 100 : update?.percent ?? 0;
  return html`<section aria-label=${`Launch of ${name}`}>
    <h2>Launching ${name}</h2>
    <progress aria-label="Launch progress" max="100" value=${percent}></progress>
    <span class="percent">${Math.round(percent)}%</span>
    ${update?.eta_seconds != null && !done && html` <small>about ${Math.ceil(update.eta_seconds)} s left</small>`}
    <ol class="stages">
      ${(update?.stages ?? []).map((s) => html`<li class=${s.state}>${s.name} <small>${s.message || s.state}</small></li>`)}
    </ol>
    ${done && html`<p class="notice" role="status">${done.name} is ${done.state}. <a href="/dashboard/">See it in the list</a>.</p>`}
    ${problem && html`<${ProblemBox} problem=${problem} title="The launch failed" />`}
  </section>`;
}

export function LaunchView() {
  const [templates, setTemplates] = useState<Template[]>([]);
  const [slug, setSlug] = useState("");
  const [name, setName] = useState("");
  const [size, setSize] = useState("");
  const [arch, setArch] = useState("");
  const [project, setProject] = useState("");
  const [params, setParams] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [launched, setLaunched] = useState<{ name: string; path: string } | null>(null);
  useEffect(() => {
    api.templates().then((found) => {
      setTemplates(found);
      if (found.length) setSlug(found[0].slug);
    }, (error) => setProblem(problemOf(error)));
  }, []);
  const template = templates.find((t) => t.slug === slug);
  useEffect(() => setParams({}), [slug]);
  const submit = async (event: Event) => {
    event.preventDefault();
    setProblem(null);
    try {
      const given = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== ""));
      const reply = await api.launch({ template: slug, name, size: size || null, arch: arch || null, params: given, project: project || null });
      setLaunched({ name, path: reply.progress });
    } catch (error) {
      setProblem(problemOf(error));
    }
  };
  return html`<main>
    <h1>Launch a workstation</h1>
    <form class="launch" onSubmit=${submit}>
      <label for="launch-template">Template</label>
        <select id="launch-template" value=${slug} onChange=${(e: Event) => setSlug((e.target as HTMLSelectElement).value)}>
          ${templates.map((t) => html`<option value=${t.slug}>${t.name} (${t.slug})</option>`)}
        </select>
      ${template?.description && html`<p class="description">${template.description}</p>`}
      <label for="launch-name">Name</label>
      <input id="launch-name" required pattern="[a-z0-9][a-z0-9-]*" value=${name} onInput=${(e: Event) => setName((e.target as HTMLInputElement).value)} />
      <label for="launch-size">Size</label>
        <select id="launch-size" value=${size} onChange=${(e: Event) => setSize((e.target as HTMLSelectElement).value)}>
          ${SIZES.map((s) => html`<option value=${s}>${s || "as the template says"}</option>`)}
        </select>
      <label for="launch-arch">Architecture</label>
        <select id="launch-arch" value=${arch} onChange=${(e: Event) => setArch((e.target as HTMLSelectElement).value)}>
          ${ARCHES.map((a) => html`<option value=${a}>${a || "as the template's instance type"}</option>`)}
        </select>
      <label for="launch-project">Project</label>
      <input id="launch-project" value=${project} placeholder="none" onInput=${(e: Event) => setProject((e.target as HTMLInputElement).value)} />
      ${template && template.parameters.length > 0 && html`<fieldset><legend>Parameters</legend>
        ${template.parameters.map((p) => html`<label for=${`param-${p.name}`} title=${p.description}>${p.label}</label>
          ${p.choices.length > 0
            ? html`<select id=${`param-${p.name}`} value=${params[p.name] ?? p.default ?? ""} onChange=${(e: Event) => setParams({ ...params, [p.name]: (e.target as HTMLSelectElement).value })}>
                ${p.choices.map((c) => html`<option value=${c}>${c}</option>`)}
              </select>`
            : html`<input id=${`param-${p.name}`} value=${params[p.name] ?? ""} placeholder=${p.default ?? ""} required=${p.required && p.default === null}
                onInput=${(e: Event) => setParams({ ...params, [p.name]: (e.target as HTMLInputElement).value })} />`}`)}
      </fieldset>`}
      <button type="submit" class="primary">Launch</button>
    </form>
    ${problem && html`<${ProblemBox} problem=${problem} onClose=${() => setProblem(null)} />`}
    ${launched && html`<${Progress} key=${launched.path} name=${launched.name} path=${launched.path} />`}
  </main>`;
}
