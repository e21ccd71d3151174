// The server's HTTP API. The session cookie set by the login URL authenticates every call.

export type Problem = { code: string; message: string; suggestions?: string[] };

export class ApiError extends Error {
  constructor(public problem: Problem, public status: number) {
    super(problem.message);
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  if (!response.ok) {
    let problem: Problem = { code: `HTTP_${response.status}`, message: response.statusText };
    try {
      const body = await response.json(); // RFC 9457 problem+json: the sentence is in "detail"
      problem = { code: body.code, message: body.detail ?? body.message, suggestions: body.suggestions };
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(problem, response.status);
  }
  const type = response.headers.get("content-type") ?? "";
  return (type.includes("json") ? response.json() : response.text()) as Promise<T>;
}

export type NotebookSummary = {
  name: string;
  title: string;
  language: string | null;
  cells: number | null;
  folder: string;
  modified: string | null;
  error: string | null;
};
export type Template = { name: string; title: string; description: string; language: string; builtin: boolean };
export type ListQuery = { q?: string; language?: string; modified_within_days?: string; sort?: string };
export type Cell =
  | { id: string; type: "title"; text: string }
  | { id: string; type: "markdown"; text: string }
  | { id: string; type: "package.json"; filename: string; source: string }
  | { id: string; type: "code"; filename: string; language: string; source: string; status: "idle" | "running"; runnable: boolean };
export type SessionState = { id: string; title: string; language: string; tsconfig: string | null; cells: Cell[] };
export type AiSettings = { provider: "openai" | "anthropic"; base_url: string; model: string };
export type Secret = { name: string; updated_at: string; notebooks: string[] };
export type Settings = { ai: AiSettings; ai_key_set: boolean; secrets: Secret[] };
export type Example = { name: string; title: string; description: string; language: string };
export type NpmPackage = { name: string; version: string; description: string };
export type AlertSettings = { memory_mb: number; errors_per_minute: number; cell_seconds: number };
export type Sample = {
  at: string; rss_bytes: number; cpu_percent: number; cells_rss_bytes: number; cells_cpu_percent: number;
  running_cells: number; errors: number;
};
export type Status = {
  version: string; pid: number; started_at: string; uptime_seconds: number; containment: string;
  resources: { rss_bytes: number; cpu_percent: number; cells_rss_bytes: number; cells_cpu_percent: number; threads: number };
  notebooks: { name: string; pages: number; tsserver: boolean; running_cells: number }[];
  runs: { notebook: string; cell: string; run_id: string; started_at: string; seconds: number; processes: number; cpu_percent: number; rss_bytes: number }[];
  errors: { at: string; code: string; message: string; where: string }[];
  history: Sample[];
  alerts: { kind: string; message: string }[];
  thresholds: AlertSettings;
};

// Replies put the thing under its noun ({"notebook": ...}, {"notebooks": [...]}), as the CLI's
// JSON does; these calls hand the page the thing itself.
export const api = {
  notebooks: (query: ListQuery = {}) => {
    const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v) as [string, string][]);
    const search = params.toString();
    return call<{ notebooks: NotebookSummary[] }>("GET", `/api/notebooks${search ? `?${search}` : ""}`).then((r) => r.notebooks);
  },
  create: (title: string, language: string, template?: string) =>
    call<{ notebook: NotebookSummary }>("POST", "/api/notebooks", { title, language, template: template || undefined }).then((r) => r.notebook),
  templates: () => call<{ templates: Template[] }>("GET", "/api/templates").then((r) => r.templates),
  saveTemplate: (name: string, title: string) =>
    call<{ template: Template }>("POST", `/api/notebooks/${encodeURIComponent(name)}/template`, { title }).then((r) => r.template),
  importText: (text: string) =>
    call<{ notebook: NotebookSummary }>("POST", "/api/notebooks/import", { text }).then((r) => r.notebook),
  importUrl: (url: string) =>
    call<{ notebook: NotebookSummary }>("POST", "/api/notebooks/import", { url }).then((r) => r.notebook),
  remove: (name: string) => call<{ moved_to: string }>("DELETE", `/api/notebooks/${encodeURIComponent(name)}`),
  open: (name: string) => call<{ session: SessionState }>("POST", "/api/sessions", { name }).then((r) => r.session),
  settings: () => call<{ settings: Settings }>("GET", "/api/settings").then((r) => r.settings),
  saveAi: (ai: AiSettings, api_key?: string) =>
    call<{ settings: Settings }>("PUT", "/api/settings/ai", { ...ai, api_key }).then((r) => r.settings),
  putSecret: (name: string, value: string) => call("PUT", `/api/secrets/${encodeURIComponent(name)}`, { value }),
  deleteSecret: (name: string) => call("DELETE", `/api/secrets/${encodeURIComponent(name)}`),
  linkSecret: (name: string, notebook: string, linked: boolean) =>
    call(linked ? "PUT" : "DELETE", `/api/secrets/${encodeURIComponent(name)}/notebooks/${encodeURIComponent(notebook)}`),
  status: () => call<{ status: Status }>("GET", "/api/status").then((r) => r.status),
  saveAlerts: (alerts: AlertSettings) => call("PUT", "/api/settings/alerts", alerts),
  examples: () => call<{ examples: Example[] }>("GET", "/api/examples").then((r) => r.examples),
  importExample: (name: string) =>
    call<{ notebook: NotebookSummary }>("POST", `/api/examples/${encodeURIComponent(name)}/import`).then((r) => r.notebook),
  searchNpm: (q: string) =>
    call<{ packages: NpmPackage[]; exact_name_only: boolean }>("GET", `/api/npm/search?q=${encodeURIComponent(q)}`),
  generate: (session: string, prompt: string, index: number) =>
    call<{ cells: Cell[] }>("POST", `/api/sessions/${encodeURIComponent(session)}/ai/generate`, { prompt, index }),
  edit: (session: string, cellId: string, prompt: string) =>
    call<{ edit: { cellId: string; source: string } }>(
      "POST",
      `/api/sessions/${encodeURIComponent(session)}/ai/edit`,
      { cellId, prompt },
    ).then((r) => r.edit),
};
