// Costs: spend over time per project and per workstation, each budget's line and its
// projection to the period's end, and the alerts its thresholds raised.

import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { api, fmt, type Budget, type Problem, type Spend } from "./api";
import { color, TimeChart, type Line } from "./chart";
import { useLive } from "./live";
import { ProblemBox, problemOf } from "./ui";

const secs = (iso: string) => Date.parse(iso) / 1000;

function SpendChart({ spend, kind, title }: { spend: Spend; kind: string; title: string }) {
  const series = spend.series.filter((s) => s.kind === kind);
  const lines: Line[] = series.map((s, i) => ({ label: s.key, values: s.usd, color: color(i) }));
  return html`<${TimeChart} title=${title} times=${spend.times.map(secs)} lines=${lines} unit="USD" />`;
}

function BudgetChart({ spend, budget, index }: { spend: Spend; budget: Budget; index: number }) {
  const status = budget.status;
  const spent = spend.series.find((s) => s.kind === "project" && s.key === budget.project);
  const times = spend.times.map(secs);
  const end = status.period_end ? secs(status.period_end) : null;
  const extend = end !== null && end > times[times.length - 1];
  const all = extend ? [...times, end] : times;
  const pad = (values: (number | null)[]) => (extend ? [...values, null] : values);
  const projection: (number | null)[] = all.map(() => null);
  if (status.projected_usd !== null) {
    projection[times.length - 1] = status.spent_usd;
    projection[all.length - 1] = status.projected_usd;
  }
  const lines: Line[] = [
    { label: `${budget.project} spent`, values: pad(spent?.usd ?? times.map(() => 0)), color: color(index) },
    { label: "budget", values: all.map(() => status.amount_usd), color: "#cf222e", dash: true },
    ...budget.thresholds.map((t) => ({
      label: `${t.percent}% (${t.action})`, values: all.map(() => (status.amount_usd * t.percent) / 100), color: "#9a6700", dash: true,
    })),
    { label: "projected", values: projection, color: "#8250df", dash: true },
  ];
  return html`<${TimeChart} title=${`Budget of ${budget.project}`} times=${all} lines=${lines} unit="USD" />`;
}

function BudgetTable({ budgets }: { budgets: Budget[] }) {
  return html`<table aria-label="Budgets">
    <thead><tr><th>Project</th><th class="n">Spent</th><th class="n">Budget</th><th class="n">Used</th><th class="n">Burn per hour</th>
      <th class="n">Projected</th><th>Runs out</th><th>Launches</th></tr></thead>
    <tbody>${budgets.map((b) => html`<tr>
      <td>${b.project} <small>${b.status.period}</small></td>
      <td class="n">${fmt.usd(b.status.spent_usd)}</td>
      <td class="n">${fmt.usd(b.status.amount_usd)}</td>
      <td class="n">${b.status.percent.toFixed(1)}%</td>
      <td class="n">${fmt.usd(b.status.burn_usd_per_hour, 4)}</td>
      <td class="n">${fmt.usd(b.status.projected_usd)}</td>
      <td>${b.status.runs_out_at ? fmt.time(b.status.runs_out_at) : "–"}</td>
      <td>${b.status.launches_allowed ? "allowed" : html`<strong class="bad">blocked</strong>`}</td>
    </tr>`)}</tbody>
  </table>`;
}

export function CostsView() {
  const live = useLive();
  const [hours, setHours] = useState(24);
  const [spend, setSpend] = useState<Spend | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  useEffect(() => {
    const timer = setTimeout(() => api.spend(hours).then(setSpend, (error) => setProblem(problemOf(error))), spend ? 500 : 0);
    return () => clearTimeout(timer); // a burst of events costs one refresh
  }, [hours, live.version]);
  const alerts = spend?.budgets.flatMap((b) => b.alerts.map((a) => ({ project: b.project, ...a }))) ?? [];
  return html`<main>
    <h1>Costs</h1>
    <div class="filters">
      <label>Over the last
        <select aria-label="Window" value=${hours} onChange=${(e: Event) => setHours(Number((e.target as HTMLSelectElement).value))}>
          <option value="6">6 hours</option><option value="24">24 hours</option><option value="168">7 days</option><option value="720">30 days</option>
        </select>
      </label>
      ${spend && html`<p>Total in this window: <strong data-testid="spend-total">${fmt.usd(spend.total_usd)}</strong></p>`}
    </div>
    ${problem && html`<${ProblemBox} problem=${problem} />`}
    ${alerts.length > 0 && html`<section aria-label="Budget alerts"><h2>Alerts</h2><ul class="alerts">
      ${alerts.map((a) => html`<li role="alert" class="budget-alert">
        <strong>${a.project}</strong>: ${a.on} crossed ${a.percent}% (${fmt.usd(a.spent_usd)} of ${fmt.usd(a.amount_usd)}) at ${fmt.time(a.crossed_at)}: ${a.outcome}
      </li>`)}
    </ul></section>`}
    ${spend && spend.budgets.length > 0 && html`<h2>Budgets</h2><${BudgetTable} budgets=${spend.budgets} />
      <div class="charts">${spend.budgets.map((b, i) => html`<${BudgetChart} key=${b.project} spend=${spend} budget=${b} index=${i} />`)}</div>`}
    ${spend && html`<h2>Spend over time</h2><div class="charts">
      <${SpendChart} spend=${spend} kind="project" title="Spend per project" />
      <${SpendChart} spend=${spend} kind="workstation" title="Spend per workstation" />
    </div>`}
  </main>`;
}
