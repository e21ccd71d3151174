// Deployed pipelines: one row per host with its figures, filters, and the quick actions (start
// an experiment, roll back), which call the same API routes as the CLI's commands.

import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { api, fmt, type HostDeployment, type Problem } from "./api";
import { navigate } from "@groundwork/web/router";
import { Badge, ConfirmDialog, type Confirmation, ProblemBox, problemOf } from "./ui";

export function HostsView() {
  const [rows, setRows] = useState<HostDeployment[] | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [notice, setNotice] = useState("");
  const [ask, setAsk] = useState<Confirmation | null>(null);
  const [filters, setFilters] = useState({ host: "", status: "", pipeline: "" });

  const load = () =>
    api
      .hosts()
      .then((found) => (setRows(found), setProblem(null)))
      .catch((e) => setProblem(problemOf(e)));
  useEffect(() => void load(), []);

  const rollback = (row: HostDeployment) =>
    setAsk({
      title: "Roll back",
      text:
        row.kind === "fleet"
          ? `Every host of group ${row.group} goes back to the config it ran before (phoenix fleet rollback --group ${row.group}).`
          : "This host goes back to its previous deployment (phoenix pipeline rollback).",
      action: "Roll back",
      run: async () => {
        try {
          if (row.kind === "fleet") await api.fleetRollback(row.group!);
          else setNotice(`Rolled back: ${(await api.rollback()).pipeline} is deployed.`);
          await load();
        } catch (e) {
          setProblem(problemOf(e));
        }
      },
    });

  const shown = (rows ?? []).filter(
    (r) =>
      (!filters.host || r.host === filters.host) &&
      (!filters.status || r.status === filters.status) &&
      (!filters.pipeline || r.pipeline === filters.pipeline),
  );
  const choices = (key: "host" | "status" | "pipeline") => [...new Set((rows ?? []).map((r) => r[key]))].sort();
  const select = (key: "host" | "status" | "pipeline", label: string) =>
    html`<label
      >${label}
      <select aria-label=${`Filter by ${key}`} value=${filters[key]} onChange=${(e: Event) =>
        setFilters({ ...filters, [key]: (e.target as HTMLSelectElement).value })}>
        <option value="">all</option>
        ${choices(key).map((c) => html`<option value=${c}>${c}</option>`)}
      </select></label
    >`;

  return html`<main>
    <h1>Deployed pipelines</h1>
    ${problem && html`<${ProblemBox} problem=${problem} />`}
    ${notice && html`<p class="notice" role="status">${notice}</p>`}
    <div class="filters">
      ${select("host", "Host")} ${select("status", "Status")} ${select("pipeline", "Pipeline")}
      <button type="button" onClick=${load}>Refresh</button>
    </div>
    ${rows === null
      ? html`<p>Loading…</p>`
      : html`<table class="hosts">
          <thead>
            <tr>
              <th>host</th><th>pipeline</th><th>status</th><th class="n">input series</th><th class="n">output series</th>
              <th class="n">reduction</th><th class="n">critical kept</th><th class="n">cost / month</th><th class="n">saving / month</th><th></th>
            </tr>
          </thead>
          <tbody>
            ${shown.map(
              (row) => html`<tr data-host=${row.host}>
                  <td>${row.host}${row.group && html` <small>(${row.group})</small>`}</td>
                  <td>${row.pipeline}${row.version !== null && html` <small>v${row.version}</small>`}</td>
                  <td><${Badge} value=${row.status} /></td>
                  <td class="n">${fmt.num(row.input_series)}</td>
                  <td class="n">${fmt.num(row.output_series)}</td>
                  <td class="n reduction">${fmt.pct(row.reduction_percent)}</td>
                  <td class="n">${fmt.pct(row.critical_retention_percent)}</td>
                  <td class="n">${fmt.usd(row.monthly_cost_usd)}</td>
                  <td class="n">${fmt.usd(row.monthly_saving_usd)}</td>
                  <td class="actions">
                    ${row.kind === "this host" &&
                    html`<button type="button" onClick=${() => navigate(`/catalog?baseline=${encodeURIComponent(row.pipeline)}`)}>
                      Start experiment
                    </button>`}
                    <button type="button" onClick=${() => rollback(row)}>Roll back</button>
                  </td>
                </tr>
                ${row.problem &&
                html`<tr class="problem-row">
                  <td colspan="10"><${ProblemBox} problem=${row.problem} title=${row.host} /></td>
                </tr>`}`,
            )}
          </tbody>
        </table>`}
    ${ask && html`<${ConfirmDialog} ask=${ask} close=${() => setAsk(null)} />`}
  </main>`;
}
