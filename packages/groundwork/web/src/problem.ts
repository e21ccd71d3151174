// Calls to a groundwork service from its page. The cookie the login URL set authenticates every
// call; an error reply is RFC 9457 problem+json (its sentence in "detail"), kept whole so the
// page shows what the CLI shows: the code, what went wrong, what to do.

export type Problem = { code: string; message: string; suggestions: string[]; status?: number };

export class ApiError extends Error {
  constructor(public problem: Problem, public status: number) {
    super(problem.message);
  }
}

export function problemFrom(reply: any, status?: number): Problem {
  return { code: reply.code ?? `HTTP_${status}`, message: reply.detail ?? reply.title ?? String(reply), suggestions: reply.suggestions ?? [], status };
}

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  if (!response.ok) {
    let problem: Problem = { code: `HTTP_${response.status}`, message: response.statusText, suggestions: [], status: response.status };
    try {
      problem = problemFrom(await response.json(), response.status);
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(problem, response.status);
  }
  return response.json() as Promise<T>;
}
