// Autosave that never loses a keystroke: every edit is kept in localStorage at once, sent to the
// server after a short pause, and dropped only when the server echoes it back as saved. A reload,
// or a reconnection (the server may have restarted, with new cell ids), re-sends whatever was not
// acknowledged, matched to the cells by file name or position.

import type { Socket } from "./socket";

type Draft = { cellId: string; key: string; field: "source" | "text"; value: string };

const DEBOUNCE_MS = 300;

export class Drafts {
  private timers = new Map<string, number>();
  private prefix: string;

  constructor(private session: string, private socket: Socket) {
    this.prefix = `peragus:draft:${session}:`;
    window.addEventListener("pagehide", () => this.flush());
    document.addEventListener("visibilitychange", () => document.visibilityState === "hidden" && this.flush());
  }

  /** ``key`` names the cell across server restarts: its file name, or its position. Code is
   * sent sooner than prose: tsserver's diagnostics follow what the server has. */
  edit(cellId: string, key: string, field: "source" | "text", value: string, delay = DEBOUNCE_MS): void {
    const draft: Draft = { cellId, key, field, value };
    localStorage.setItem(this.prefix + cellId, JSON.stringify(draft));
    window.clearTimeout(this.timers.get(cellId));
    this.timers.set(cellId, window.setTimeout(() => this.send(draft), delay));
  }

  /** Sends this cell's pending edit now (before asking tsserver about it). */
  flushCell(cellId: string): void {
    if (!this.timers.has(cellId)) return;
    window.clearTimeout(this.timers.get(cellId));
    const draft = this.get(cellId);
    if (draft) this.send(draft);
  }

  private send(draft: Draft): void {
    this.timers.delete(draft.cellId);
    // While the socket is down the draft waits in storage: the server that answers next may know
    // the cells by other ids, and the reconnection's restore sends it with the right one.
    if (!this.socket.connected) return;
    this.socket.send(`session:${this.session}`, "cell:update", {
      cellId: draft.cellId,
      updates: { [draft.field]: draft.value },
    });
  }

  flush(): void {
    for (const cellId of [...this.timers.keys()]) this.flushCell(cellId);
  }

  pending(): number {
    return this.all().length;
  }

  get(cellId: string): Draft | null {
    const raw = localStorage.getItem(this.prefix + cellId);
    return raw ? (JSON.parse(raw) as Draft) : null;
  }

  /** The server saved ``value``: the draft is done unless the user typed more since. */
  acknowledge(cellId: string, value: string): void {
    const draft = this.get(cellId);
    if (draft && draft.value === value && !this.timers.has(cellId)) localStorage.removeItem(this.prefix + cellId);
  }

  forget(cellId: string): void {
    window.clearTimeout(this.timers.get(cellId));
    this.timers.delete(cellId);
    localStorage.removeItem(this.prefix + cellId);
  }

  all(): Draft[] {
    const found: Draft[] = [];
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (key?.startsWith(this.prefix)) found.push(JSON.parse(localStorage.getItem(key)!) as Draft);
    }
    return found;
  }

  /** Drafts the server has not saved, matched to the current cells; re-sent now. */
  restore(cells: { id: string; key: string; value: string }[]): Map<string, string> {
    const applied = new Map<string, string>();
    for (const draft of this.all()) {
      const cell = cells.find((c) => c.id === draft.cellId) ?? cells.find((c) => c.key === draft.key);
      localStorage.removeItem(this.prefix + draft.cellId);
      if (!cell || cell.value === draft.value) continue;
      applied.set(cell.id, draft.value);
      this.edit(cell.id, cell.key, draft.field, draft.value);
    }
    return applied;
  }
}
