// The page's live picture: the workstations as prismd last told, kept current by its event
// stream (GET /api/v1/events), and the notifications heard since the page opened, shown in the
// page and, where the browser allows, as desktop notifications.

import { useEffect, useState } from "preact/hooks";
import { api, type Note, type Workstation } from "./api";

type WorkstationEvent = { type: "workstation"; id: number; at: string; previous_state: string | null; workstation: Workstation };
type NotificationEvent = { type: "notification"; id: number; at: string; notification: Note };

class Live {
  workstations = new Map<string, Workstation>();
  private heard = new Map<string, number>(); // workstation -> the count of events when last heard of
  private heardCount = 0;
  notes: Note[] = [];
  connected = false;
  loaded = false;
  error: unknown = null;
  version = 0;
  private listeners = new Set<() => void>();
  private source: EventSource | null = null;

  start(): void {
    if (this.source) return;
    void this.reload(); // at once, beside the stream's opening
    this.source = new EventSource("/api/v1/events");
    this.source.addEventListener("open", () => {
      this.set(() => (this.connected = true));
      void this.reload(); // what changed before the stream was (again) open
    });
    this.source.addEventListener("error", () => this.set(() => (this.connected = false)));
    this.source.addEventListener("workstation", (message) => {
      const event = JSON.parse((message as MessageEvent).data) as WorkstationEvent;
      this.set(() => {
        const ws = event.workstation;
        this.heard.set(ws.name, ++this.heardCount);
        if (ws.state === "deleted") this.workstations.delete(ws.name);
        else this.workstations.set(ws.name, ws);
      });
    });
    this.source.addEventListener("notification", (message) => {
      const event = JSON.parse((message as MessageEvent).data) as NotificationEvent;
      this.set(() => this.notes.unshift(event.notification));
      desktop(event.notification);
    });
  }

  async reload(): Promise<void> {
    const asked = this.heardCount;
    try {
      const found = await api.workstations();
      this.set(() => {
        // A list answered after an event was heard may be older than that event: for each
        // workstation heard of since the list was asked for, the event wins.
        const fresh = (name: string) => (this.heard.get(name) ?? 0) > asked;
        const merged = new Map(found.filter((ws) => !fresh(ws.name)).map((ws) => [ws.name, ws]));
        for (const [name, ws] of this.workstations) if (fresh(name)) merged.set(name, ws);
        this.workstations = merged;
        this.loaded = true;
        this.error = null;
      });
    } catch (error) {
      this.set(() => (this.error = error));
    }
  }

  dismiss(note: Note): void {
    this.set(() => (this.notes = this.notes.filter((n) => n !== note)));
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(change: () => void): void {
    change();
    this.version += 1;
    this.listeners.forEach((listener) => listener());
  }
}

export const live = new Live();

export function useLive(): Live {
  const [, setVersion] = useState(live.version);
  useEffect(() => live.subscribe(() => setVersion(live.version)), []);
  return live;
}

function desktop(note: Note): void {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  new Notification(`prism: ${note.kind.replace("-", " ")}`, { body: note.text, tag: `${note.kind}:${note.workstation ?? note.project}` });
}

export function canAskForDesktop(): boolean {
  return "Notification" in window && Notification.permission === "default";
}
