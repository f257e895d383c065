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
  close(): Promise<void>;
}

export function startReceiver(options: ReceiverOptions = {}): Receiver {
  const received: ReceivedRequest[] = [];
  const accepted = new Map<string, number>();
  let failed = 0;
  let ok = 0;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const body = await req.text();
    received.push({ at: Date.now(), headers: req.headers, body, path: new URL(req.url).pathname });
    if (r.options.delayMs) await new Promise((res) => setTimeout(res, r.options.delayMs));
    if (failed < (r.options.failFirst ?? 0)) {
      failed++;
      return new Response("not yet", { status: 500 });
    }
    const id = req.headers.get("x-pingfold-delivery") ?? "";
    accepted.set(id, (accepted.get(id) ?? 0) + 1);
    ok++;
    for (const w of [...waiters]) {
      if (ok >= w.n) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
    return new Response("ok", { status: r.options.status ?? 200 });
  });
  const port = server.addr.port;
  const r: Receiver = {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    received,
    options,
    accepted,
    waitFor(n, timeoutMs = 30_000) {
      if (ok >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`receiver got ${ok} of ${n} deliveries in ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
    close: () => server.shutdown(),
  };
  return r;
}
