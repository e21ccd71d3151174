// The catalog: every pipeline with its expected and measured reduction; a pipeline's page shows
// its YAML beside the collector config it renders, its parameters, and deploys it (with
// parameters) or starts an experiment with it, showing the equivalent CLI command.

import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { api, type CatalogEntry, fmt, type PipelineSummary, type Problem } from "./api";
import { navigate } from "@groundwork/web/router";
import { ProblemBox, problemOf } from "./ui";
import { Yaml } from "./yaml";

export function CatalogList() {
  const [pipelines, setPipelines] = useState<PipelineSummary[] | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  useEffect(() => void api.pipelines().then(setPipelines).catch((e) => setProblem(problemOf(e))), []);
  const baseline = new URLSearchParams(location.search).get("baseline");
  const suffix = baseline ? `?baseline=${encodeURIComponent(baseline)}` : "";
  return html`<main>
    <h1>Pipeline catalog</h1>
    ${baseline && html`<p class="notice">Pick a candidate to compare with ${baseline}.</p>`}
    ${problem && html`<${ProblemBox} problem=${problem} />`}
    <table class="catalog">
      <thead>
        <tr><th>pipeline</th><th>expected reduction</th><th>processors</th><th>on a collector</th><th>description</th></tr>
      </thead>
      <tbody>
        ${(pipelines ?? []).map(
          (p) => html`<tr>
            <td><a href=${`/catalog/${p.name}${suffix}`}>${p.name}</a></td>
            <td class="n">${p.expected_reduction.min}–${p.expected_reduction.max}%</td>
            <td>${p.processors.join(" → ") || "–"}</td>
            <td>${p.collector ?? "–"}</td>
            <td>${p.description}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </main>`;
}

function quote(value: string): string {
  return /^[\w.,:/=+-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}

export function CatalogPage({ name }: { name: string }) {
  const [entry, setEntry] = useState<CatalogEntry | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [notice, setNotice] = useState("");
  const [params, setParams] = useState<Record<string, string>>({});
  const [trial, setTrial] = useState({
    name: `${name.replace(/^process-|-v\d+$/g, "")}-trial`,
    baseline: new URLSearchParams(location.search).get("baseline") ?? "process-baseline-v1",
    duration: "2m",
    interval: "10s",
  });
  useEffect(() => void api.catalogEntry(name).then(setEntry).catch((e) => setProblem(problemOf(e))), [name]);
  if (!entry) return html`<main>${problem ? html`<${ProblemBox} problem=${problem} />` : html`<p>Loading…</p>`}</main>`;

  const changed = Object.fromEntries(
    Object.entries(params).filter(([key, value]) => value !== entry.parameters.find((p) => p.name === key)?.value),
  );
  const command = [entry.deploy_command, ...Object.entries(changed).map(([k, v]) => `--param ${quote(`${k}=${v}`)}`)].join(" ");
  const experimentCommand =
    `phoenix experiment create ${quote(trial.name)} --baseline ${trial.baseline} --candidate ${name}` +
    ` --duration ${trial.duration} --interval ${trial.interval} && phoenix experiment start ${quote(trial.name)}`;
  const deploy = async () => {
    try {
      const done = await api.deploy(name, changed);
      setProblem(null);
      setNotice(`${done.pipeline} is deployed as version ${done.version}.`);
    } catch (e) {
      setProblem(problemOf(e));
    }
  };
  const startExperiment = async (event: Event) => {
    event.preventDefault();
    try {
      const created = await api.createExperiment({ ...trial, candidate: name });
      await api.start(created.id);
      navigate(`/experiments/${created.id}`);
    } catch (e) {
      setProblem(problemOf(e));
    }
  };
  const m = entry.measurement;
  return html`<main>
    <h1>${name}</h1>
    <p>${entry.summary.description}</p>
    ${problem && html`<${ProblemBox} problem=${problem} />`}
    ${notice && html`<p class="notice" role="status">${notice}</p>`}
    <div class="facts">
      <div><h3>Expected reduction</h3><p>${entry.summary.expected_reduction.min}–${entry.summary.expected_reduction.max}%</p></div>
      <div>
        <h3>Measured (high-cardinality load)</h3>
        ${m
          ? html`<p class="measured">${`engine ${fmt.pct(m.engine_reduction_percent)} (${m.engine_series} series), collector `}${fmt.pct(
              m.collector_reduction_percent,
            )} (${m.collector_series} series)</p>`
          : html`<p>not measured yet (bench/collector_vs_engine.py)</p>`}
      </div>
      <div><h3>On a collector</h3><p>${entry.collector_config.fidelity}</p></div>
    </div>
    <h2>Strategy</h2>
    <ol class="strategy">${entry.strategy.map((s) => html`<li>${s}</li>`)}</ol>
    <div class="side-by-side">
      <div><h2>Pipeline</h2><${Yaml} text=${entry.source} label="Pipeline YAML" /></div>
      <div><h2>Collector config</h2><${Yaml} text=${entry.collector_yaml} label="Collector config" /></div>
    </div>
    <h2>Deploy on this host</h2>
    <form class="params" onSubmit=${(e: Event) => (e.preventDefault(), deploy())}>
      ${entry.parameters.length === 0 && html`<p>No parameters.</p>`}
      ${entry.parameters.map(
        (p) => html`<label
          >${p.name}
          <input
            aria-label=${p.name}
            value=${params[p.name] ?? p.value}
            onInput=${(e: Event) => setParams({ ...params, [p.name]: (e.target as HTMLInputElement).value })}
        /></label>`,
      )}
      <p>Same as: <code class="cli" aria-label="Deploy command">${command}</code></p>
      <button type="submit">Deploy</button>
    </form>
    <h2>Start an experiment</h2>
    <form class="params" aria-label="New experiment" onSubmit=${startExperiment}>
      ${(["name", "baseline", "duration", "interval"] as const).map(
        (key) => html`<label
          >${key}
          <input
            aria-label=${`Experiment ${key}`}
            value=${trial[key]}
            onInput=${(e: Event) => setTrial({ ...trial, [key]: (e.target as HTMLInputElement).value })}
        /></label>`,
      )}
      <p>Same as: <code class="cli" aria-label="Experiment command">${experimentCommand}</code></p>
      <button type="submit">Start experiment</button>
    </form>
  </main>`;
}
