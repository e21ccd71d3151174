// One WebSocket with srcbook's [topic, event, payload] messages. It reconnects with backoff,
// resubscribes to its topics, sends heartbeats, and queues what is sent while it is down.

type Handler = (event: string, payload: any) => void;

export class Socket {
  private ws: WebSocket | null = null;
  private handlers = new Map<string, Set<Handler>>();
  private pending: string[] = [];
  private attempt = 0;
  private lastPong = Date.now();
  private heartbeat: number | undefined;
  onStatus: (connected: boolean) => void = () => {};

  constructor(private url: string) {
    this.connect();
  }

  private connect(): void {
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.lastPong = Date.now();
      for (const topic of this.handlers.keys()) ws.send(JSON.stringify([topic, "subscribe", {}]));
      for (const message of this.pending.splice(0)) ws.send(message);
      this.onStatus(true);
      this.heartbeat = window.setInterval(() => this.beat(), 10_000);
    };
    ws.onmessage = (message) => {
      const [topic, event, payload] = JSON.parse(message.data);
      if (event === "pong") {
        this.lastPong = Date.now();
        return;
      }
      for (const handler of this.handlers.get(topic) ?? []) handler(event, payload);
      if (topic === "error") console.warn("peragus:", payload.message);
    };
    ws.onclose = () => {
      window.clearInterval(this.heartbeat);
      this.onStatus(false);
      const delay = Math.min(10_000, 250 * 2 ** this.attempt++) * (0.5 + Math.random() / 2);
      window.setTimeout(() => this.connect(), delay);
    };
  }

  private beat(): void {
    if (Date.now() - this.lastPong > 30_000) {
      this.ws?.close();
      return;
    }
    this.ws?.send(JSON.stringify(["heartbeat", "ping", {}]));
  }

  subscribe(topic: string, handler: Handler): () => void {
    const first = !this.handlers.has(topic);
    const set = this.handlers.get(topic) ?? new Set();
    set.add(handler);
    this.handlers.set(topic, set);
    if (first) this.send(topic, "subscribe", {});
    return () => {
      set.delete(handler);
      if (set.size === 0) {
        this.handlers.delete(topic);
        this.send(topic, "unsubscribe", {});
      }
    };
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  send(topic: string, event: string, payload: unknown): void {
    const message = JSON.stringify([topic, event, payload]);
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(message);
    else this.pending.push(message);
  }
}

let shared: Socket | null = null;

export function socket(): Socket {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  shared ??= new Socket(`${scheme}://${location.host}/websocket`);
  return shared;
}
