// The core both schedulers share: units of work run while holding KV leases (renewed, released
// after), tracked until they end, aborted together on stop; ticks that never overlap.
import type { StateStore } from "@/services/store/mod.ts";
import { log } from "@/services/logger.ts";
import type { Lease } from "./lease.ts";
import { keepLeases } from "./lease_keeper.ts";

export interface LeasedWorkOptions {
  kv: StateStore;
  ttlMs: number;
  now(): number;
  /** Logs a lease lost while its work ran (it expired and another owner took it). */
  warnOnLost?: boolean;
}

export interface LeasedWork<K> {
  /** Runs `work` under `leases` as `key`; a failure is passed to `onError`, never thrown. */
  start(
    key: K,
    leases: Lease[],
    work: (signal: AbortSignal) => Promise<unknown>,
    onError: (err: unknown) => void,
  ): void;
  has(key: K): boolean;
  readonly size: number;
  keys(): K[];
  /** Aborted by abort(); work receives it. */
  readonly signal: AbortSignal;
  /** Resolves when every unit started so far has finished. */
  idle(): Promise<void>;
  /** Aborts running work (it still records its outcome and releases its leases; see idle). */
  abort(reason: string): void;
}

export function createLeasedWork<K>(opts: LeasedWorkOptions): LeasedWork<K> {
  const inFlight = new Map<K, Promise<void>>();
  const stopper = new AbortController();
  return {
    start(key, leases, work, onError) {
      const release = keepLeases(leases, {
        kv: opts.kv,
        ttlMs: opts.ttlMs,
        now: () => opts.now(),
        onLost: opts.warnOnLost
          ? (lost) => log.warn("lost a lease while working", { key: String(lost.key) })
          : undefined,
      });
      const done = (async () => {
        try {
          await work(stopper.signal);
        } catch (err) {
          onError(err);
        } finally {
          await release();
          inFlight.delete(key);
        }
      })();
      inFlight.set(key, done);
    },
    has: (key) => inFlight.has(key),
    get size() {
      return inFlight.size;
    },
    keys: () => [...inFlight.keys()],
    signal: stopper.signal,
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight.values()]);
    },
    abort(reason) {
      stopper.abort(new Error(reason));
    },
  };
}

/** Wraps a tick so calls never overlap: a call during a running tick gets that tick's result. */
export function serialTicks<T>(tick: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | null = null;
  return () => {
    running ??= tick().finally(() => (running = null));
    return running;
  };
}
