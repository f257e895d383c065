// Pub/sub of live discovery events; the SSE route subscribes browsers to it. Given the state
// store's event topics, every process sharing the store sees every event (NATS: one core subject
// per event type under pingfold.events), so every web instance shows the same pills.
import type { AlertEvent } from "@/services/alerts/mod.ts";
import type { StateStore } from "@/services/store/mod.ts";

/** One host whose state a sweep just wrote (what a pill needs, plus prev_up for live counts). */
export interface HostChange {
  ip: string;
  host_id: number;
  subnet_id: number | null;
  up: boolean;
  /** The state before this write; null when the host had none (so "alive" counts add it). */
  prev_up: boolean | null;
  latency_ms: number | null;
  since: number;
  last_seen: number | null;
  method: string;
  checked_at: number;
}

/** A finished sweep or ping, for the scanner health page. */
export interface RunEvent {
  id: number;
  kind: "subnet" | "host";
  subnet_id: number | null;
  host_id: number | null;
  target: string;
  status: string;
  method: string | null;
  hosts_up: number;
  hosts_down: number;
  finished_at: string;
}

export type LiveEvent =
  | { type: "hosts"; changes: HostChange[] }
  | { type: "run"; run: RunEvent }
  /** A recorded alert event (services/alerts), for the events feed. */
  | { type: "alert"; event: AlertEvent };

export interface LiveHub {
  publish(event: LiveEvent): void;
  /** Returns the unsubscribe function. A throwing listener never hurts the others. */
  subscribe(listener: (event: LiveEvent) => void): () => void;
  /** Calls `fn` once when the hub closes (process shutdown): open streams end then. */
  onClose(fn: () => void): () => void;
  /** Ends every subscription; later subscribers are closed at once. */
  close(): void;
  readonly closed: boolean;
  subscribers(): number;
}

/** The event types, one topic each (so a role's NATS permissions can name them). */
const LIVE_TOPICS: ReadonlyArray<LiveEvent["type"]> = ["hosts", "run", "alert"];

/** Without `bus`, events stay in this process (tests, one-off tools). */
export function createLiveHub(bus?: Pick<StateStore, "publish" | "subscribe">): LiveHub {
  const listeners = new Set<(event: LiveEvent) => void>();
  const closers = new Set<() => void>();
  let closed = false;
  const deliver = (event: LiveEvent) => {
    if (closed) return;
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch {
        // A broken subscriber (a stream already gone) must not stop the others.
      }
    }
  };
  const unsubscribers = bus
    ? LIVE_TOPICS.map((topic) => bus.subscribe(topic, (m) => deliver(m as LiveEvent)))
    : [];
  return {
    get closed() {
      return closed;
    },
    publish(event) {
      if (closed) return;
      // Through the bus even for this process's own listeners: one path, one order for all.
      if (bus) bus.publish(event.type, event);
      else deliver(event);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onClose(fn) {
      if (closed) {
        fn();
        return () => {};
      }
      closers.add(fn);
      return () => closers.delete(fn);
    },
    close() {
      if (closed) return;
      closed = true;
      for (const off of unsubscribers) {
        try {
          off();
        } catch { /* the store closed first (shutdown): nothing left to unsubscribe */ }
      }
      listeners.clear();
      for (const fn of [...closers]) {
        try {
          fn();
        } catch { /* closing anyway */ }
      }
      closers.clear();
    },
    subscribers: () => listeners.size,
  };
}

/**
 * Splits host changes into SSE-sized batches (a /16 sweep must not become one 10 MB message).
 */
export function batchChanges(changes: HostChange[], size = 500): HostChange[][] {
  const out: HostChange[][] = [];
  for (let i = 0; i < changes.length; i += size) out.push(changes.slice(i, i + size));
  return out;
}
