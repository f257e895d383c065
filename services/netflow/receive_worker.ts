// The collector's receive thread: reads the UDP socket and packs datagrams into raw batches,
// nothing else, so a burst is read at the speed of the socket. A batch goes to the decode worker
// while fewer than `window` batches are on their way to the database; otherwise it goes to the
// bounded on-disk spool, which is drained oldest first as the database stores batches. A full
// spool refuses (and counts) the batch. While a burst lasts, every batch waits in the spool
// (burst_gate.ts). Started by collector_worker.ts.
import { createExporterAllowlist } from "./exporter_allowlist.ts";
import type { FromReceiver, ReceiverStats, ToReceiver } from "./collector_protocol.ts";
import { RawBatchWriter } from "./raw_batch.ts";
import { DiskSpool } from "./spool.ts";
import { startUdpListener, type UdpListener } from "./udp_listener.ts";
import { setThreadNice } from "./thread_priority.ts";
import { BurstGate } from "./burst_gate.ts";

const port = self as unknown as {
  postMessage(message: FromReceiver, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToReceiver>) => void) | null;
};

let listener: UdpListener | null = null;
let spool: DiskSpool | null = null;
let writer: RawBatchWriter | null = null;
let window = 8;
let nextSeq = 1;
/** The last sequence given to a batch (below nextSeq - 1 while a seqFloor left a gap). */
let lastSeq = 0;
let inFlight = 0;
let pumping = false;
let gate: BurstGate | null = null;
/** When the open batch got its first datagram (to tell a burst's fast-filling batches). */
let openedAt = 0;
const timers: Array<ReturnType<typeof setInterval>> = [];

function stats(): ReceiverStats {
  return { listener: listener!.stats(), spool: spool!.stats() };
}

/** The next batch's sequence. */
function takeSeq(): number {
  lastSeq = nextSeq++;
  return lastSeq;
}

function send(seq: number, buffer: ArrayBuffer): void {
  inFlight++;
  port.postMessage({ type: "batch", seq, buffer }, [buffer]);
}

/**
 * Hands the open batch on: to the decoder when it has room, nothing is spooled and no burst is on;
 * else to disk. `full`: sealed because the batch had no room for the next datagram.
 */
function seal(full = false): void {
  const w = writer!;
  const s = spool!;
  if (w.datagrams === 0) return;
  const now = Date.now();
  if (full) gate!.filled(now, now - openedAt, w.bytes);
  const hold = gate!.holding(now);
  const datagrams = w.datagrams;
  const bytes = w.bytes;
  if (!hold && !pumping && s.waiting === 0 && inFlight < window) {
    // Window 0 never takes this path: every batch is on disk before it is decoded.
    send(takeSeq(), w.take());
  } else if (s.fits(bytes)) {
    s.append(takeSeq(), datagrams, w.take());
    if (!hold && inFlight < Math.max(1, window)) pump();
  } else {
    w.discard();
    s.refuse(datagrams, bytes);
  }
}

/** Every batchMs: the partly filled batch goes on; after a burst, the spool starts draining. */
function tick(): void {
  seal();
  if (spool!.waiting > 0 && inFlight < Math.max(1, window)) pump();
}

/** Sends spooled batches, oldest first, while the window has room. */
async function pump(): Promise<void> {
  if (pumping) return;
  pumping = true;
  try {
    while (inFlight < Math.max(1, window) && spool!.waiting > 0 && !gate!.holding(Date.now())) {
      const got = await spool!.next();
      if (got === null) break;
      send(got.seq, got.buffer);
    }
  } catch (err) {
    port.postMessage({ type: "fatal", message: `NetFlow spool read failed: ${String(err)}` });
  } finally {
    pumping = false;
  }
}

async function start(msg: Extract<ToReceiver, { type: "start" }>): Promise<void> {
  const o = msg.spool;
  // First, so that no datagram waits for a core behind this process's decoding and inserting.
  const priority = setThreadNice(msg.nice);
  window = Math.max(0, o.window);
  spool = await DiskSpool.open(o.dir, o.maxBytes, o.storedSeq, o.inHandUpTo);
  lastSeq = Math.max(o.storedSeq, o.inHandUpTo, spool.lastSeq);
  nextSeq = Math.max(lastSeq, o.seqFloor ?? 0) + 1;
  // A batch holds at least one datagram of the largest size.
  const w = writer = new RawBatchWriter(Math.max(o.batchBytes, 70_000));
  gate = new BurstGate({ burstBytesPerMs: 20_000, quietMs: 200, maxHoldMs: 5000 });
  const allowlist = createExporterAllowlist(msg.allowedExporters);
  listener = startUdpListener({
    hostname: msg.hostname,
    port: msg.port,
    recvBufferBytes: msg.recvBufferBytes,
    allows: msg.allowedExporters.length > 0 ? allowlist.allows : undefined,
    onDatagram: (data, exporter) => {
      const now = Date.now();
      if (w.datagrams === 0) openedAt = now;
      if (!w.push(data, exporter, now)) {
        seal(true);
        openedAt = now;
        w.push(data, exporter, now);
      }
    },
  });
  timers.push(setInterval(tick, o.batchMs));
  timers.push(setInterval(() => port.postMessage({ type: "stats", stats: stats() }), 250));
  port.postMessage({
    type: "ready",
    port: listener.port,
    recvBuffer: listener.recvBuffer,
    inode: listener.inode,
    priority,
  });
  // Batches spooled before a restart go first.
  pump();
}

async function stop(): Promise<void> {
  for (const t of timers) clearInterval(t);
  await listener?.close();
  if (writer && spool) {
    // What is open goes on like any batch; with no room in the window it waits on disk.
    gate?.off();
    seal();
    await spool.settled();
  }
  port.postMessage({ type: "stopped", stats: stats() });
}

port.onmessage = (e: MessageEvent<ToReceiver>) => {
  const msg = e.data;
  switch (msg.type) {
    case "start":
      start(msg).catch((err) =>
        port.postMessage({ type: "fatal", message: (err as Error)?.message ?? String(err) })
      );
      break;
    case "stored":
      inFlight = Math.max(0, inFlight - msg.groups);
      spool?.release(msg.seq).catch(() => {});
      pump();
      break;
    case "seal":
      if (writer) seal();
      port.postMessage({ type: "sealed", id: msg.id, seq: lastSeq, stats: stats() });
      break;
    case "pause":
      listener?.pause(msg.ms);
      port.postMessage({ type: "paused", id: msg.id });
      break;
    case "stop":
      stop().catch((err) =>
        port.postMessage({ type: "fatal", message: (err as Error)?.message ?? String(err) })
      );
      break;
  }
};
