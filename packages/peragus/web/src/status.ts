// The status page: uptime, resource use, open notebooks, running cells with their CPU and memory
// (refreshed every two seconds), recent errors, alerts past the thresholds, and small charts of
// the last hour, which the server keeps in memory.

import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { api, type AlertSettings, type Sample, type Status } from "./api";
import { problemText } from "./list";
import { ThemeButton } from "./theme";

const REFRESH_MS = 2000;

export function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return h ? `${h} h ${m} min` : m ? `${m} min ${s} s` : `${s} s`;
}

/** A sparkline of one figure over the samples, with its latest value. */
function Chart({ label, samples, value, format }: {
  label: string;
  samples: Sample[];
  value: (s: Sample) => number;
  format: (n: number) => string;
}) {
  const width = 240;
  const height = 48;
  const values = samples.map(value);
  const top = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - (v / top) * (height - 4) - 2).toFixed(1)}`).join(" ");
  const latest = values.length ? values[values.length - 1] : 0;
  return html`<figure class="chart" aria-label=${label}>
    <figcaption>${label} <strong>${format(latest)}</strong> <span class="muted">max ${format(top)}</span></figcaption>
    <svg width=${width} height=${height} viewBox=${`0 0 ${width} ${height}`} role="img" aria-label=${`${label} over the last hour`}>
      <polyline fill="none" stroke="currentColor" stroke-width="1.5" points=${points} />
    </svg>
  </figure>`;
}

function Thresholds({ current, onSaved }: { current: AlertSettings; onSaved: () => void }) {
  const [form, setForm] = useState(current);
  const [message, setMessage] = useState("");
  const field = (name: keyof AlertSettings) => (e: Event) =>
    setForm({ ...form, [name]: Number((e.target as HTMLInputElement).value) });
  const save = (event: Event) => {
    event.preventDefault();
    api.saveAlerts(form).then(() => { setMessage("Saved."); onSaved(); }, (e) => setMessage(problemText(e)));
  };
  return html`<form class="row thresholds" onSubmit=${save} aria-label="Alert thresholds">
    <label>Memory (MB) <input type="number" min="16" value=${form.memory_mb} onInput=${field("memory_mb")} /></label>
    <label>Errors a minute <input type="number" min="1" value=${form.errors_per_minute} onInput=${field("errors_per_minute")} /></label>
    <label>A cell running longer than (s) <input type="number" min="1" value=${form.cell_seconds} onInput=${field("cell_seconds")} /></label>
    <button type="submit">Save thresholds</button>
    ${message && html`<span class="muted">${message}</span>`}
  </form>`;
}

export function StatusPage() {
  const [status, setStatus] = useState<Status | null>(null);
  const [error, setError] = useState("");
  const refresh = () => api.status().then((s) => { setStatus(s); setError(""); }, (e) => setError(problemText(e)));
  useEffect(() => {
    void refresh();
    const timer = window.setInterval(refresh, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, []);

  if (!status) return html`<main><p>${error || "Loading…"}</p></main>`;
  const r = status.resources;
  return html`<main class="status-page" aria-label="Status">
    <nav class="row"><a href="/">← Notebooks</a><h1>Status</h1><span class="spacer"></span><${ThemeButton} /></nav>
    ${status.alerts.map((a) => html`<p class="alert-banner" role="alert" data-kind=${a.kind}>${a.message}</p>`)}
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <p class="muted">peragus ${status.version}, pid ${status.pid}, up ${duration(status.uptime_seconds)}; cells contained by ${status.containment}.</p>
    <section class="figures" aria-label="Resources">
      <div><span class="muted">Server memory</span> <strong>${megabytes(r.rss_bytes)}</strong></div>
      <div><span class="muted">Server CPU</span> <strong>${r.cpu_percent.toFixed(1)} %</strong></div>
      <div><span class="muted">Cells' memory</span> <strong>${megabytes(r.cells_rss_bytes)}</strong></div>
      <div><span class="muted">Cells' CPU</span> <strong>${r.cells_cpu_percent.toFixed(1)} %</strong></div>
      <div><span class="muted">Threads</span> <strong>${r.threads}</strong></div>
    </section>
    <section class="charts" aria-label="The last hour">
      <${Chart} label="Memory" samples=${status.history} value=${(s: Sample) => s.rss_bytes + s.cells_rss_bytes} format=${megabytes} />
      <${Chart} label="CPU" samples=${status.history} value=${(s: Sample) => s.cpu_percent + s.cells_cpu_percent} format=${(n: number) => `${n.toFixed(0)} %`} />
      <${Chart} label="Running cells" samples=${status.history} value=${(s: Sample) => s.running_cells} format=${(n: number) => String(n)} />
      <${Chart} label="Errors a minute" samples=${status.history} value=${(s: Sample) => s.errors} format=${(n: number) => String(n)} />
    </section>
    <h2>Running cells</h2>
    ${status.runs.length === 0
      ? html`<p class="muted">No cell is running.</p>`
      : html`<table class="runs" aria-label="Running cells">
          <thead><tr><th>Notebook</th><th>Cell</th><th>Running for</th><th>Processes</th><th>CPU</th><th>Memory</th></tr></thead>
          <tbody>${status.runs.map((run) => html`<tr key=${run.run_id} data-run=${run.run_id}>
            <td><a href=${`/notebooks/${encodeURIComponent(run.notebook)}`}>${run.notebook}</a></td>
            <td><code>${run.cell}</code></td><td>${duration(run.seconds)}</td><td>${run.processes}</td>
            <td>${run.cpu_percent.toFixed(1)} %</td><td>${megabytes(run.rss_bytes)}</td></tr>`)}</tbody>
        </table>`}
    <h2>Open notebooks</h2>
    ${status.notebooks.length === 0
      ? html`<p class="muted">None open.</p>`
      : html`<ul class="open-notebooks">${status.notebooks.map((n) => html`<li key=${n.name}>
          <a href=${`/notebooks/${encodeURIComponent(n.name)}`}>${n.name}</a>
          <span class="muted">${n.pages} page${n.pages === 1 ? "" : "s"}${n.tsserver ? ", tsserver" : ""}${n.running_cells ? `, ${n.running_cells} running` : ""}</span></li>`)}</ul>`}
    <h2>Recent errors</h2>
    ${status.errors.length === 0
      ? html`<p class="muted">None since the server started.</p>`
      : html`<table class="errors" aria-label="Recent errors"><tbody>${status.errors.map((e) => html`<tr>
          <td class="muted">${e.at.slice(11, 19)}</td><td><code>${e.code}</code></td><td>${e.message}</td><td class="muted">${e.where}</td></tr>`)}</tbody></table>`}
    <h2>Alert thresholds</h2>
    <${Thresholds} current=${status.thresholds} onSaved=${refresh} />
  </main>`;
}
