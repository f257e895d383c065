// A real HTTP receiver on loopback for alert tests and benchmarks: records every request and
// answers as told (fail the first N, delay, or hang until released).
export interface ReceivedRequest {
  at: number;
  headers: Headers;
  body: string;
  path: string;
}

export interface ReceiverOptions {
  /** Answer 500 to this many requests first. */
  failFirst?: number;
  /** Milliseconds to wait before answering. */
  delayMs?: number;
  /** Status of a normal answer (default 200). */
  status?: number;
  /** While true, requests are held unanswered (until `release()` or the sender dies). */
  hold?: boolean;
}

export interface Receiver {
  url: string;
  port: number;
  received: ReceivedRequest[];
  options: ReceiverOptions;
  /** Successful answers by X-Pingfold-Delivery. */
  accepted: Map<string, number>;
  /** Resolves when `n` requests have been answered successfully (or rejects after timeoutMs). */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  /** Resolves when `n` requests have arrived (answered or not). */
  waitForRequests(n: number, timeoutMs?: number): Promise<void>;
  /** Stops holding and lets held requests continue. */
  release(): void;
  close(): Promise<void>;
}

export function startReceiver(options: ReceiverOptions = {}): Receiver {
  const received: ReceivedRequest[] = [];
  const accepted = new Map<string, number>();
  let failed = 0;
  let ok = 0;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const arrivals: Array<{ n: number; resolve: () => void }> = [];
  let released: (() => void) | null = null;
  let releasedAt = new Promise<void>((resolve) => (released = resolve));
  const notify = (list: typeof waiters, count: number) => {
    for (const w of [...list]) {
      if (count >= w.n) {
        list.splice(list.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const wait = (list: typeof waiters, n: number, count: () => number, what: string, ms: number) => {
    if (count() >= n) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`receiver: ${count()} of ${n} ${what} in ${ms} ms`)),
        ms,
      );
      list.push({ n, resolve: () => (clearTimeout(timer), resolve()) });
    });
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const body = await req.text();
    received.push({ at: Date.now(), headers: req.headers, body, path: new URL(req.url).pathname });
    notify(arrivals, received.length);
    if (r.options.hold) await releasedAt;
    if (r.options.delayMs) await new Promise((res) => setTimeout(res, r.options.delayMs));
    if (failed < (r.options.failFirst ?? 0)) {
      failed++;
      return new Response("not yet", { status: 500 });
    }
    const id = req.headers.get("x-pingfold-delivery") ?? "";
    accepted.set(id, (accepted.get(id) ?? 0) + 1);
    ok++;
    notify(waiters, ok);
    return new Response("ok", { status: r.options.status ?? 200 });
  });
  const port = server.addr.port;
  const r: Receiver = {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    received,
    options,
    accepted,
    waitFor: (n, ms = 30_000) => wait(waiters, n, () => ok, "deliveries accepted", ms),
    waitForRequests: (n, ms = 30_000) => wait(arrivals, n, () => received.length, "requests", ms),
    release() {
      r.options.hold = false;
      released?.();
      releasedAt = new Promise<void>((resolve) => (released = resolve));
    },
    close: () => server.shutdown(),
  };
  return r;
}
