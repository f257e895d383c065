// The global cap on concurrent probes (PING_WORKERS), shared by every sweep of this instance.

export interface ProbeGrant {
  /** Probes this sweep may run at once. */
  workers: number;
  release(): void;
}

export interface ProbeBudget {
  /**
   * Waits until at least one slot is free, then takes up to `want` slots (never more than are
   * free), so the sum of all running sweeps' workers never exceeds the cap. Waiters are served in
   * arrival order. An aborted `signal` rejects a wait that has not been granted yet.
   */
  acquire(want: number, signal?: AbortSignal): Promise<ProbeGrant>;
  /** Slots not in use right now. */
  free(): number;
  readonly total: number;
}

export function createProbeBudget(total: number): ProbeBudget {
  const cap = Math.max(1, Math.floor(total));
  let free = cap;
  const waiters: Array<{ want: number; grant: (g: ProbeGrant) => void }> = [];

  const take = (want: number): ProbeGrant => {
    const n = Math.max(1, Math.min(Math.floor(want) || 1, free));
    free -= n;
    let released = false;
    return {
      workers: n,
      release() {
        if (released) return;
        released = true;
        free += n;
        pump();
      },
    };
  };
  const pump = () => {
    while (free > 0 && waiters.length > 0) {
      const w = waiters.shift()!;
      w.grant(take(w.want));
    }
  };

  return {
    total: cap,
    free: () => free,
    acquire(want, signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (free > 0 && waiters.length === 0) return Promise.resolve(take(want));
      return new Promise<ProbeGrant>((resolve, reject) => {
        const waiter = {
          want,
          grant: (g: ProbeGrant) => {
            signal?.removeEventListener("abort", onAbort);
            resolve(g);
          },
        };
        const onAbort = () => {
          const i = waiters.indexOf(waiter);
          if (i >= 0) waiters.splice(i, 1);
          reject(signal!.reason);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        waiters.push(waiter);
      });
    },
  };
}
