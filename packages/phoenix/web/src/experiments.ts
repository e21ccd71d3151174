// Experiments: the list, and one experiment live over server-sent events (no polling in the
// page): baseline and candidate side by side, charts, the verdict against its criteria, the load
// simulator's state, and promote / stop / delete (confirmed) and JSON / HTML exports.

import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { api, type Experiment, type ExperimentEvent, type Figures, fmt, type Problem } from "./api";
import { VariantChart } from "./chart";
import { navigate } from "@groundwork/web/router";
import { Badge, ConfirmDialog, type Confirmation, ProblemBox, problemOf } from "./ui";

const ACTIVE = ["pending", "running", "analyzing"];

export function ExperimentList() {
  const [experiments, setExperiments] = useState<Experiment[] | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  useEffect(() => void api.experiments().then(setExperiments).catch((e) => setProblem(problemOf(e))), []);
  return html`<main>
    <h1>Experiments</h1>
    <p>Start one from a pipeline of the <a href="/catalog">catalog</a>.</p>
    ${problem && html`<${ProblemBox} problem=${problem} />`}
    <table class="experiments">
      <thead>
        <tr><th>name</th><th>baseline (A)</th><th>candidate (B)</th><th>state</th><th>verdict</th><th>created</th></tr>
      </thead>
      <tbody>
        ${(experiments ?? []).map(
          (e) => html`<tr>
            <td><a href=${`/experiments/${e.id}`}>${e.name}</a></td>
            <td>${e.baseline}</td>
            <td>${e.candidate}</td>
            <td><${Badge} value=${e.state} /></td>
            <td>${e.verdict ? html`<${Badge} value=${e.verdict} />` : "–"}</td>
            <td>${e.created_at}</td>
          </tr>`,
        )}
      </tbody>
    </table>
    ${experiments?.length === 0 && html`<p>No experiments yet.</p>`}
  </main>`;
}

const ROWS: [keyof Figures, string, (v: number) => string][] = [
  ["intervals", "intervals measured", (v) => fmt.num(v)],
  ["input_series", "input series", (v) => fmt.num(v, 1)],
  ["output_series", "output series", (v) => fmt.num(v, 1)],
  ["reduction_percent", "reduction", fmt.pct],
  ["critical_retention_percent", "critical processes kept", fmt.pct],
  ["datapoints_per_minute", "datapoints / minute", (v) => fmt.num(v)],
  ["monthly_cost_usd", "estimated cost / month", fmt.usd],
  ["engine_cpu_ms", "overhead: CPU per scrape (ms)", (v) => fmt.num(v, 2)],
];

function Criteria({ experiment, a, b }: { experiment: Experiment; a?: Figures; b?: Figures }) {
  if (!a || !b) return html`<p>No interval measured yet.</p>`;
  const reduction = a.output_series ? 100 * (1 - b.output_series / a.output_series) : 0;
  const checks = [
    [`series reduction B against A: ${reduction.toFixed(1)}%`, `≥ ${experiment.min_reduction}%`, reduction >= experiment.min_reduction],
    [
      `critical processes kept by B: ${b.critical_retention_percent.toFixed(1)}%`,
      `≥ ${experiment.min_critical}%`,
      b.critical_retention_percent >= experiment.min_critical,
    ],
  ] as const;
  return html`<ul class="criteria" aria-label="Success criteria">
    ${checks.map(([what, needs, ok]) => html`<li class=${ok ? "pass" : "fail"}>${ok ? "✓" : "✗"} ${what} (needs ${needs})</li>`)}
  </ul>`;
}

function download(name: string, text: string, type: string): void {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([text], { type }));
  link.download = name;
  link.click();
  URL.revokeObjectURL(link.href);
}

export function ExperimentPage({ id }: { id: string }) {
  const [event, setEvent] = useState<ExperimentEvent | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [notice, setNotice] = useState("");
  const [ask, setAsk] = useState<Confirmation | null>(null);
  const [live, setLive] = useState(false);

  useEffect(() => {
    const source = new EventSource(`/api/v1/experiments/${encodeURIComponent(id)}/events`);
    source.addEventListener("open", () => setLive(true));
    source.addEventListener("report", (message) => {
      const found: ExperimentEvent = JSON.parse((message as MessageEvent).data);
      setEvent(found);
      if (!ACTIVE.includes(found.report.experiment.state)) {
        source.close(); // finished: the server ends the stream, and the browser must not reconnect
        setLive(false);
      }
    });
    source.addEventListener("gone", (message) => {
      source.close();
      setLive(false);
      setNotice(`This experiment was deleted: ${(message as MessageEvent).data}`);
    });
    source.addEventListener("error", () => {
      if (source.readyState === EventSource.CLOSED) {
        setLive(false);
        api
          .experiments()
          .then((all) => {
            if (!all.some((e) => e.id === id))
              setProblem({ code: "PHOENIX_EXPERIMENT_NOT_FOUND", message: `No experiment ${id}.`, suggestions: ["List them: phoenix experiment list"] });
          })
          .catch((e) => setProblem(problemOf(e)));
      }
    });
    return () => source.close();
  }, [id]);

  if (!event)
    return html`<main>
      ${problem ? html`<${ProblemBox} problem=${problem} />` : notice ? html`<p class="notice">${notice}</p>` : html`<p>Connecting…</p>`}
    </main>`;
  const { report, simulation } = event;
  const exp = report.experiment;
  const a = report.variants.A;
  const b = report.variants.B;
  const act = (title: string, text: string, action: string, run: () => Promise<void>) =>
    setAsk({
      title,
      text,
      action,
      run: async () => {
        try {
          await run();
          setProblem(null);
        } catch (e) {
          setProblem(problemOf(e));
        }
      },
    });
  const promote = (variant: "candidate" | "baseline") =>
    act(
      `Promote the ${variant}`,
      `Deploy ${variant === "candidate" ? exp.candidate : exp.baseline} on this host (phoenix experiment promote ${exp.name} --variant ${variant}).`,
      "Promote",
      async () => setNotice(`Promoted: ${(await api.promote(exp.id, variant)).pipeline} is deployed.`),
    );
  return html`<main>
    <h1>Experiment ${exp.name} <${Badge} value=${exp.state} /> ${exp.verdict && html`<${Badge} value=${exp.verdict} />`}</h1>
    <p>
      A = <strong>${exp.baseline}</strong>, B = <strong>${exp.candidate}</strong>;
      ${`every ${exp.interval_seconds} s for ${exp.duration_seconds} s. `}${live && html`<span class="live" aria-label="Live">● live</span>`}
    </p>
    ${event.problem && html`<${ProblemBox} problem=${event.problem} title="Experiment failed" />`}
    ${problem && html`<${ProblemBox} problem=${problem} />`}
    ${notice && html`<p class="notice" role="status">${notice}</p>`}
    <p class="loadsim" aria-label="Load simulator">
      ${"Load simulator: "}${simulation.running
        ? html`<strong>running</strong> ${simulation.profile}, ${simulation.processes} processes, up ${fmt.num(simulation.uptime_seconds)} s`
        : html`not running`}
    </p>
    <div class="buttons">
      ${ACTIVE.includes(exp.state) &&
      html`<button type="button" onClick=${() =>
        act("Stop the experiment", `Stop ${exp.name} and restore the deployment it found (phoenix experiment stop).`, "Stop", async () => {
          await api.stop(exp.id);
        })}>Stop</button>`}
      ${(exp.state === "completed" || exp.state === "running") &&
      html`<button type="button" onClick=${() => promote("candidate")}>Promote candidate</button>
        <button type="button" onClick=${() => promote("baseline")}>Promote baseline</button>`}
      <button type="button" onClick=${() => download(`experiment-${exp.name}.json`, JSON.stringify(report, null, 2), "application/json")}>
        Export JSON
      </button>
      <a class="button" href=${`/api/v1/experiments/${exp.id}/report.html`} download>Export HTML</a>
      <button type="button" class="danger" onClick=${() =>
        act("Delete the experiment", `Delete ${exp.name} and its figures (phoenix experiment delete).`, "Delete", async () => {
          await api.remove(exp.id);
          navigate("/experiments");
        })}>Delete</button>
    </div>
    <h2>Side by side</h2>
    <table class="compare" aria-label="Comparison">
      <thead><tr><th></th><th class="n">A: ${exp.baseline}</th><th class="n">B: ${exp.candidate}</th></tr></thead>
      <tbody>
        ${ROWS.map(
          ([key, label, show]) => html`<tr data-row=${key}>
            <td>${label}</td>
            <td class="n">${a ? show(a[key]) : "–"}</td>
            <td class="n">${b ? show(b[key]) : "–"}</td>
          </tr>`,
        )}
      </tbody>
    </table>
    <h2>Verdict</h2>
    <${Criteria} experiment=${exp} a=${a} b=${b} />
    ${exp.state === "completed" && html`<p class="verdict">${exp.verdict}: ${exp.message}</p>`}
    <div class="charts">
      <${VariantChart} intervals=${report.intervals} field="output_series" title="Output series per interval" />
      <${VariantChart} intervals=${report.intervals} field="monthly_cost" title="Estimated monthly cost (USD)" />
    </div>
    ${ask && html`<${ConfirmDialog} ask=${ask} close=${() => setAsk(null)} />`}
  </main>`;
}
