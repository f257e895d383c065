// In-process pub/sub of live discovery events; the SSE route subscribes browsers to it.

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
  | { type: "run"; run: RunEvent };

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

export function createLiveHub(): LiveHub {
  const listeners = new Set<(event: LiveEvent) => void>();
  const closers = new Set<() => void>();
  let closed = false;
  return {
    get closed() {
      return closed;
    },
    publish(event) {
      if (closed) return;
      for (const listener of [...listeners]) {
        try {
          listener(event);
        } catch {
          // A broken subscriber (a stream already gone) must not stop the others.
        }
      }
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
