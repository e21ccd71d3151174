// The dashboard's one page: a header with the views, who is looking, the notifications heard
// on prismd's event stream, and the view the address names.

import { html } from "htm/preact";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, fmt, type Viewer } from "./api";
import { CostsView } from "./costs";
import { LaunchView } from "./launch";
import { canAskForDesktop, live, useLive } from "./live";
import { onLink, useLocation } from "@groundwork/web/router";
import { UsageView } from "./usage";
import { WorkstationsView } from "./workstations";
import "./style.css";

function View({ path }: { path: string }) {
  const view = path.split("?")[0].replace(/^\/dashboard\/?/, "").split("/")[0];
  if (view === "launch") return html`<${LaunchView} />`;
  if (view === "costs") return html`<${CostsView} />`;
  if (view === "usage") return html`<${UsageView} />`;
  return html`<${WorkstationsView} />`;
}

function Who() {
  const [viewer, setViewer] = useState<Viewer | null>(null);
  useEffect(() => void api.viewer().then(setViewer, () => {}), []);
  if (!viewer) return null;
  const roles = Object.entries(viewer.roles).map(([project, role]) => `${role} of ${project}`).join(", ");
  return html`<span class="who" data-testid="viewer">${viewer.user} · ${viewer.operator ? "operator" : roles || "no role"}</span>`;
}

function Notifications() {
  const state = useLive();
  const [asking, setAsking] = useState(canAskForDesktop());
  return html`<aside class="notes" aria-label="Notifications">
    <span class=${state.connected ? "live" : "offline"}>${state.connected ? "● live" : "○ reconnecting"}</span>
    ${asking && html`<button type="button" onClick=${() => Notification.requestPermission().then(() => setAsking(canAskForDesktop()))}>Desktop notifications</button>`}
    ${state.notes.slice(0, 5).map((note) => html`<div class=${`note ${note.kind}`} role="status">
      <strong>${note.kind.replace("-", " ")}</strong> <small>${fmt.time(note.at)}</small>
      <button type="button" class="close" aria-label="Dismiss" onClick=${() => live.dismiss(note)}>×</button>
      <div>${note.text}</div>
    </div>`)}
  </aside>`;
}

function App() {
  const path = useLocation();
  const view = path.split("?")[0].replace(/^\/dashboard\/?/, "").split("/")[0];
  const here = (name: string) => (view === name ? "page" : undefined);
  return html`<div onClick=${onLink}>
    <header>
      <strong>prism</strong>
      <nav>
        <a href="/dashboard/" aria-current=${here("")}>Workstations</a>
        <a href="/dashboard/launch" aria-current=${here("launch")}>Launch</a>
        <a href="/dashboard/costs" aria-current=${here("costs")}>Costs</a>
        <a href="/dashboard/usage" aria-current=${here("usage")}>Resource use</a>
      </nav>
      <${Who} />
    </header>
    <${Notifications} />
    <${View} path=${path} />
  </div>`;
}

live.start();
render(html`<${App} />`, document.getElementById("app")!);
