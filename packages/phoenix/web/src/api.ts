// phoenix's REST API. The session cookie set by the login URL authenticates every call; the
// replies are the same JSON the CLI prints with -o json.

import { call, type Problem } from "@groundwork/web/problem";

export type { Problem };

export type Range = { min: number; max: number };
export type PipelineSummary = {
  name: string;
  description: string;
  expected_reduction: Range;
  critical_processes: { names: string[]; patterns: string[] };
  processors: string[];
  collector: "exact" | "approximate" | null;
  collector_difference_percent: number | null;
};
export type Deployment = { version: number; pipeline: string; params: Record<string, string>; reason: string; deployed_at: string };
export type HostDeployment = {
  host: string;
  group: string | null;
  kind: "this host" | "fleet";
  pipeline: string;
  version: number | null;
  params: Record<string, string>;
  status: "running" | "failed" | "down" | "unreachable";
  healthy: boolean;
  input_series: number | null;
  output_series: number | null;
  reduction_percent: number | null;
  critical_retention_percent: number | null;
  monthly_cost_usd: number | null;
  monthly_saving_usd: number | null;
  problem: Problem | null;
};
export type CatalogEntry = {
  summary: PipelineSummary;
  strategy: string[];
  parameters: { name: string; value: string }[];
  documented_params: Record<string, string>[];
  source: string;
  collector_yaml: string;
  collector_config: { fidelity: string; notes: string[] };
  measurement: {
    engine_series: number;
    collector_series: number;
    engine_reduction_percent: number;
    collector_reduction_percent: number;
    collector_difference_percent: number;
  } | null;
  deploy_command: string;
};
export type State = "pending" | "running" | "analyzing" | "completed" | "failed" | "cancelled";
export type Experiment = {
  id: string;
  name: string;
  baseline: string;
  candidate: string;
  duration_seconds: number;
  interval_seconds: number;
  critical_regex: string;
  min_reduction: number;
  min_critical: number;
  state: State;
  verdict: "pass" | "fail" | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  message: string;
  baseline_group: string | null;
  candidate_group: string | null;
};
export type Figures = {
  intervals: number;
  input_series: number;
  output_series: number;
  reduction_percent: number;
  critical_seen: number;
  critical_retention_percent: number;
  datapoints_per_minute: number;
  monthly_cost_usd: number;
  engine_cpu_ms: number;
};
export type Interval = {
  seq: number;
  variant: "A" | "B";
  at: string;
  output_series: number;
  reduction_percent: number;
  monthly_cost: number;
};
export type Report = { experiment: Experiment; variants: Partial<Record<"A" | "B", Figures>>; intervals: Interval[] };
export type Simulation = { running: boolean; profile: string | null; processes: number; names: string[]; uptime_seconds: number | null };
export type ExperimentEvent = { report: Report; simulation: Simulation; problem: Problem | null };
export type NewExperiment = {
  name: string;
  baseline: string;
  candidate: string;
  duration: string;
  interval: string;
};

export const api = {
  hosts: () => call<{ host_deployments: HostDeployment[] }>("GET", "/api/v1/hosts").then((r) => r.host_deployments),
  pipelines: () => call<{ pipelines: PipelineSummary[] }>("GET", "/api/v1/pipelines").then((r) => r.pipelines),
  catalogEntry: (name: string) =>
    call<{ catalog_entry: CatalogEntry }>("GET", `/api/v1/catalog/${encodeURIComponent(name)}`).then((r) => r.catalog_entry),
  deploy: (pipeline: string, params: Record<string, string>) =>
    call<{ deployment: Deployment }>("POST", "/api/v1/deployments", { pipeline, params }).then((r) => r.deployment),
  rollback: () => call<{ deployment: Deployment }>("POST", "/api/v1/deployments/rollback", {}).then((r) => r.deployment),
  fleetRollback: (group: string) => call<{ deployments: unknown[] }>("POST", "/api/v1/fleet/rollback", { group }),
  experiments: () => call<{ experiments: Experiment[] }>("GET", "/api/v1/experiments").then((r) => r.experiments),
  createExperiment: (body: NewExperiment) =>
    call<{ experiment: Experiment }>("POST", "/api/v1/experiments", body).then((r) => r.experiment),
  start: (id: string) => call<{ experiment: Experiment }>("POST", `/api/v1/experiments/${id}/start`).then((r) => r.experiment),
  stop: (id: string) => call<{ experiment: Experiment }>("POST", `/api/v1/experiments/${id}/stop`).then((r) => r.experiment),
  promote: (id: string, variant: "candidate" | "baseline") =>
    call<{ deployment: Deployment }>("POST", `/api/v1/experiments/${id}/promote?variant=${variant}`).then((r) => r.deployment),
  remove: (id: string) => call<{ deleted: true }>("DELETE", `/api/v1/experiments/${id}`),
};

// The same numbers the CLI prints, formatted once for every view.
export const fmt = {
  num: (v: number | null | undefined, digits = 0) =>
    v === null || v === undefined ? "–" : v.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits }),
  pct: (v: number | null | undefined) => (v === null || v === undefined ? "–" : `${v.toFixed(1)}%`),
  usd: (v: number | null | undefined) => (v === null || v === undefined ? "–" : `$${v.toFixed(2)}`),
};
