// Resource use: a workstation's CPU, memory and network over time from CloudWatch (prismd's
// metrics route), each chart with its thresholds drawn as dashed lines.

import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { api, type Metrics, type Problem } from "./api";
import { TimeChart, type Line } from "./chart";
import { useLive } from "./live";
import { ProblemBox, problemOf } from "./ui";

export function UsageView() {
  const live = useLive();
  const names = [...live.workstations.keys()].sort();
  const [name, setName] = useState(new URLSearchParams(location.search).get("workstation") ?? "");
  const [hours, setHours] = useState(3);
  const [metrics, setMetrics] = useState<Metrics | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const chosen = name || names[0] || "";
  useEffect(() => {
    if (!chosen) return;
    setProblem(null);
    api.metrics(chosen, hours).then(setMetrics, (error) => setProblem(problemOf(error)));
  }, [chosen, hours]);
  return html`<main>
    <h1>Resource use</h1>
    <div class="filters">
      <label>Workstation
        <select aria-label="Workstation" value=${chosen} onChange=${(e: Event) => setName((e.target as HTMLSelectElement).value)}>
          ${names.map((n) => html`<option value=${n}>${n}</option>`)}
        </select>
      </label>
      <label>Over the last
        <select aria-label="Window" value=${hours} onChange=${(e: Event) => setHours(Number((e.target as HTMLSelectElement).value))}>
          <option value="1">hour</option><option value="3">3 hours</option><option value="24">24 hours</option><option value="168">7 days</option>
        </select>
      </label>
      <button type="button" onClick=${() => chosen && api.metrics(chosen, hours).then(setMetrics, (e) => setProblem(problemOf(e)))}>Refresh</button>
    </div>
    ${!chosen && html`<p>No workstations to measure.</p>`}
    ${problem && html`<${ProblemBox} problem=${problem} />`}
    ${metrics && metrics.workstation === chosen && html`
      ${metrics.notes.map((n) => html`<p class="notice">${n}</p>`)}
      <div class="charts">${metrics.series.map((s) => {
        const times = s.points.map((p) => Date.parse(p.at) / 1000);
        const lines: Line[] = [
          { label: s.label, values: s.points.map((p) => p.value), color: "#0969da" },
          ...s.thresholds.map((t) => ({ label: t.label, values: times.map(() => t.value), color: "#cf222e", dash: true })),
        ];
        return html`<div class="metric" data-metric=${s.metric}>
          ${s.points.length > 0
            ? html`<${TimeChart} title=${`${s.label} (${s.unit})`} times=${times} lines=${lines} unit=${s.unit} />`
            : html`<h3>${s.label} (${s.unit})</h3><p class="empty">No data in this window.</p>`}
          <small>${s.namespace} ${s.name}; ${s.points.length} points${s.points.length > 0 ? `, last ${s.points[s.points.length - 1].value.toFixed(1)} ${s.unit}` : ""}</small>
          ${s.thresholds.length > 0 && html`<ul class="thresholds">${s.thresholds.map((t) => html`<li>${t.label}</li>`)}</ul>`}
        </div>`;
      })}</div>`}
  </main>`;
}
