// Workstations: state, template, size, time running, idle status, cost so far and per hour,
// kept live by the event stream; stop, start, hibernate, resume, delete (after confirming) and
// how to connect. A refused action (a viewer's) is shown with prismd's reason.

import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { api, ApiError, fmt, type CostLine, type IdleStatus, type Problem, type Workstation } from "./api";
import { useLive } from "./live";
import { Badge, ConfirmDialog, ProblemBox, problemOf, type Confirmation } from "./ui";

const ACTIONS: Record<string, { label: string; when: string[] }> = {
  stop: { label: "Stop", when: ["running", "pending"] },
  start: { label: "Start", when: ["stopped"] },
  hibernate: { label: "Hibernate", when: ["running"] },
  resume: { label: "Resume", when: ["hibernated"] },
};

// Every cost line the caller may see: a team member reads them one of their projects at a time.
async function costLines(): Promise<CostLine[]> {
  try {
    return await api.costs();
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 403) throw error;
    const viewer = await api.viewer();
    return (await Promise.all(Object.keys(viewer.roles).map((project) => api.costs(project)))).flat();
  }
}

function useFigures(version: number) {
  const [costs, setCosts] = useState(new Map<string, CostLine>());
  const [idle, setIdle] = useState(new Map<string, IdleStatus>());
  useEffect(() => {
    const timer = setTimeout(() => {
      costLines().then((lines) => setCosts(new Map(lines.filter((l) => l.kind === "workstation").map((l) => [l.name, l])))).catch(() => {});
      api.idle().then((statuses) => setIdle(new Map(statuses.map((s) => [s.workstation, s])))).catch(() => {});
    }, 300); // a burst of events costs one refresh
    return () => clearTimeout(timer);
  }, [version]);
  return { costs, idle };
}

function Connect({ ws }: { ws: Workstation }) {
  const services = Object.entries(ws.service_urls ?? {});
  return html`<div class="connect" aria-label=${`Connect to ${ws.name}`}>
    <p>From a terminal: <code class="cli">prism connect ${ws.name}</code> (SSH), or in VS Code: <code class="cli">prism connect ${ws.name} --vscode</code></p>
    ${ws.public_ip && ws.key_file && html`<p>Plain SSH: <code class="cli">ssh -i ${ws.key_file} ${ws.login_user}@${ws.public_ip}</code></p>`}
    ${services.length > 0 && html`<p>Services: ${services.map(([name]) => html`<code class="cli">prism web ${ws.name} ${name}</code> `)}</p>`}
  </div>`;
}

function Row({ ws, cost, idle, act, ask }: {
  ws: Workstation; cost?: CostLine; idle?: IdleStatus; act: (ws: Workstation, action: string) => void; ask: (c: Confirmation) => void;
}) {
  const [open, setOpen] = useState(false);
  const idleText = ws.idle ? `${ws.idle.action} after ${ws.idle.idle_minutes} min` : "off";
  return html`<tr data-testid=${`ws-${ws.name}`} data-state=${ws.state}>
      <td><strong>${ws.name}</strong>${ws.project && html`<br /><small>${ws.project}</small>`}</td>
      <td><${Badge} value=${ws.state} />${ws.state_reason && html`<br /><small>${ws.state_reason.text}</small>`}</td>
      <td>${ws.template_name}</td>
      <td>${ws.size ?? "–"} <small>${ws.instance_type}</small></td>
      <td class="n">${fmt.hours(cost?.running_hours)}</td>
      <td>${idle ? html`${idle.signal}<br /><small>${idle.next}</small>` : html`<small>${idleText}</small>`}</td>
      <td class="n">${fmt.usd(cost?.total_usd)}</td>
      <td class="n">${fmt.usd(cost?.hourly_usd, 4)}</td>
      <td class="actions">
        ${Object.entries(ACTIONS).map(([action, { label, when }]) =>
          when.includes(ws.state) && html`<button type="button" onClick=${() => act(ws, action)}>${label}</button>`,
        )}
        <button type="button" class="danger" onClick=${() =>
          ask({
            title: `Delete ${ws.name}?`,
            text: `This terminates ${ws.name}'s instance and its root disk; it cannot be undone.`,
            action: "Delete",
            run: async () => act(ws, "delete"),
          })}>Delete</button>
        <button type="button" aria-expanded=${open} onClick=${() => setOpen(!open)}>Connect</button>
      </td>
    </tr>
    ${open && html`<tr class="detail"><td colspan="9"><${Connect} ws=${ws} /></td></tr>`}`;
}

export function WorkstationsView() {
  const live = useLive();
  const { costs, idle } = useFigures(live.version);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<Confirmation | null>(null);
  const act = async (ws: Workstation, action: string) => {
    setProblem(null);
    setNotice(null);
    try {
      const reply: { workstation: Workstation; notice?: string | null } =
        action === "delete" ? await api.remove(ws.name) : await api.act(ws.name, action);
      setNotice(reply.notice ?? `${ws.name}: ${reply.workstation.state}`);
    } catch (error) {
      setProblem(problemOf(error));
    }
  };
  const rows = [...live.workstations.values()].sort((a, b) => a.name.localeCompare(b.name));
  return html`<main>
    <h1>Workstations</h1>
    ${problem && html`<${ProblemBox} problem=${problem} onClose=${() => setProblem(null)} />`}
    ${notice && html`<p class="notice" role="status">${notice}</p>`}
    ${live.error !== null && html`<${ProblemBox} problem=${problemOf(live.error)} />`}
    ${live.loaded && rows.length === 0 && html`<p>No workstations yet. <a href="/dashboard/launch">Launch one</a>.</p>`}
    ${rows.length > 0 &&
    html`<table aria-label="Workstations">
      <thead><tr>
        <th>Name</th><th>State</th><th>Template</th><th>Size</th><th class="n" title="Hours it has run">Uptime</th><th>Idle</th>
        <th class="n">Cost so far</th><th class="n">Per hour</th><th>Actions</th>
      </tr></thead>
      <tbody>
        ${rows.map((ws) => html`<${Row} key=${ws.name} ws=${ws} cost=${costs.get(ws.name)} idle=${idle.get(ws.name)} act=${act} ask=${setConfirm} />`)}
      </tbody>
    </table>`}
    ${confirm && html`<${ConfirmDialog} ask=${confirm} close=${() => setConfirm(null)} />`}
  </main>`;
}
