// Benchmark helper thread: replays recorded export datagrams to a loopback UDP port at a given
// record rate (0 = as fast as it can), bounded in datagrams and time. Loopback only.

interface Replay {
  port: number;
  datagrams: Uint8Array[];
  /** Flow records in each datagram (to pace by records and report what was offered). */
  records: number[];
  /** Records per second; 0 sends as fast as possible. */
  rate: number;
  seconds: number;
  maxDatagrams: number;
}

const ctx = self as unknown as {
  postMessage(m: unknown): void;
  onmessage: ((e: MessageEvent<Replay>) => void) | null;
};

ctx.onmessage = async (e: MessageEvent<Replay>) => {
  const r = e.data;
  const conn = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const to = { transport: "udp" as const, hostname: "127.0.0.1", port: r.port };
  const n = r.datagrams.length;
  const start = performance.now();
  const end = start + r.seconds * 1000;
  let sent = 0;
  let records = 0;
  while (sent < r.maxDatagrams) {
    const now = performance.now();
    if (now >= end) break;
    if (r.rate > 0 && records >= (r.rate * (now - start)) / 1000) {
      await new Promise((ok) => setTimeout(ok, 1));
      continue;
    }
    const i = sent % n;
    await conn.send(r.datagrams[i], to);
    records += r.records[i];
    sent++;
  }
  const elapsedMs = performance.now() - start;
  conn.close();
  ctx.postMessage({ datagrams: sent, records, elapsedMs });
};
