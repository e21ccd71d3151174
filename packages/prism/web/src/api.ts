// prismd's REST API. The cookie set by the login URL authenticates every call; the replies are
// the same JSON the CLI prints with -o json.

import { call } from "@groundwork/web/problem";

export { ApiError, problemFrom, type Problem } from "@groundwork/web/problem";

export type State =
  | "launching" | "pending" | "running" | "stopping" | "stopped" | "hibernated"
  | "deleting" | "deleted" | "gone" | "failed";
export type IdlePolicy = { name: string; action: string; idle_minutes: number; warn_minutes: number; source: string };
export type Workstation = {
  name: string;
  template: string;
  template_name: string;
  size: string | null;
  instance_type: string;
  instance_id: string | null;
  state: State;
  simulated: boolean;
  public_ip: string | null;
  login_user: string;
  key_file: string | null;
  services: Record<string, unknown>;
  service_urls: Record<string, string>;
  project: string | null;
  idle: IdlePolicy | null;
  message: string;
  created_at: string;
  updated_at: string;
  state_reason: { text: string } | null;
};
export type IdleStatus = { workstation: string; state: string; signal: string; idle_minutes: number | null; next: string };
export type CostLine = {
  name: string; kind: string; workstation: string | null; hourly_usd: number; running_hours: number; total_usd: number;
};
export type Stage = { name: string; state: string; fraction: number; message: string };
export type ProgressUpdate = { percent: number; eta_seconds: number | null; current: string | null; finished: boolean; failed: boolean; stages: Stage[] };
export type Viewer = { user: string; operator: boolean; roles: Record<string, string> };
export type Parameter = { name: string; label: string; description: string; type: string; default: string | null; choices: string[]; required: boolean };
export type Template = { slug: string; name: string; description: string; parameters: Parameter[] };
export type Threshold = { percent: number; action: string; on: string };
export type BudgetStatus = {
  period: string; period_start: string; period_end: string | null; spent_usd: number; amount_usd: number; percent: number;
  burn_usd_per_hour: number; projected_usd: number | null; runs_out_at: string | null; launches_allowed: boolean;
};
export type Alert = { period: string; percent: number; action: string; on: string; crossed_at: string; spent_usd: number; amount_usd: number; outcome: string };
export type Budget = { project: string; status: BudgetStatus; thresholds: Threshold[]; alerts: Alert[] };
export type Spend = { since: string; until: string; times: string[]; series: { key: string; kind: string; usd: number[] }[]; budgets: Budget[]; total_usd: number };
export type MetricSeries = {
  metric: string; label: string; namespace: string; name: string; unit: string;
  thresholds: { value: number; label: string }[]; points: { at: string; value: number }[];
};
export type Metrics = { workstation: string; instance_id: string | null; period_seconds: number; series: MetricSeries[]; notes: string[] };
export type Note = { at: string; kind: string; workstation: string | null; project: string | null; text: string };
export type LaunchBody = { template: string; name: string; size: string | null; arch: string | null; params: Record<string, string>; project: string | null };

export const api = {
  workstations: () => call<{ workstations: Workstation[] }>("GET", "/api/v1/workstations").then((r) => r.workstations),
  idle: () => call<{ statuses: IdleStatus[] }>("GET", "/api/v1/idle/status").then((r) => r.statuses),
  costs: (project?: string) =>
    call<{ costs: CostLine[] }>("GET", project ? `/api/v1/cost?project=${encodeURIComponent(project)}` : "/api/v1/cost").then((r) => r.costs),
  act: (name: string, action: string) =>
    call<{ workstation: Workstation; notice: string | null }>("POST", `/api/v1/workstations/${encodeURIComponent(name)}/${action}`),
  remove: (name: string) => call<{ workstation: Workstation }>("DELETE", `/api/v1/workstations/${encodeURIComponent(name)}`),
  viewer: () => call<{ viewer: Viewer }>("GET", "/api/v1/dashboard/viewer").then((r) => r.viewer),
  templates: () => call<{ templates: Template[] }>("GET", "/api/v1/dashboard/templates").then((r) => r.templates),
  launch: (body: LaunchBody) => call<{ workstation: Workstation; progress: string }>("POST", "/api/v1/workstations", body),
  spend: (hours: number) => call<{ spend: Spend }>("GET", `/api/v1/dashboard/spend?hours=${hours}`).then((r) => r.spend),
  metrics: (name: string, hours: number) =>
    call<{ metrics: Metrics }>("GET", `/api/v1/workstations/${encodeURIComponent(name)}/metrics?hours=${hours}`).then((r) => r.metrics),
};

// The same numbers the CLI prints, formatted once for every view.
export const fmt = {
  usd: (v: number | null | undefined, digits = 2) => (v === null || v === undefined ? "–" : `$${v.toFixed(digits)}`),
  hours: (h: number | null | undefined) => (h === null || h === undefined ? "–" : h < 1 ? `${Math.round(h * 60)} min` : `${h.toFixed(1)} h`),
  time: (iso: string) => new Date(iso).toLocaleString(),
};
