// The collector's UDP socket (Deno.listenDatagram): receives datagrams one by one into a reused
// buffer and hands each to the decoder; a failing handler or receive never ends the loop.
import { AppError } from "@/services/errors.ts";
import { type RecvBufferResult, setReceiveBuffer } from "./socket_buffer.ts";
import { ownUdpSocket } from "./proc_net_udp.ts";

export interface UdpListenerOptions {
  hostname: string;
  port: number;
  /** SO_RCVBUF to ask for; 0 keeps the system default. */
  recvBufferBytes?: number;
  /** Called for each datagram; `data` is only valid during the call (the buffer is reused). */
  onDatagram(data: Uint8Array, exporter: string): void;
  onError?(err: unknown, where: "receive" | "handler"): void;
  /** Which exporters may send; others' datagrams are counted (`refused`) and dropped. */
  allows?(exporter: string): boolean;
}

export interface UdpListenerStats {
  datagrams: number;
  bytes: number;
  receiveErrors: number;
  handlerErrors: number;
  /** Datagrams from exporters outside the allowlist, dropped unread. */
  refused: number;
}

export interface UdpListener {
  readonly hostname: string;
  readonly port: number;
  readonly recvBuffer: RecvBufferResult | null;
  /** The socket's inode in /proc/net/udp{,6} (to read its kernel drop count), if found. */
  readonly inode: string | null;
  stats(): UdpListenerStats;
  /** Stops reading the socket for `ms` (tests: lets the kernel buffer fill and drop). */
  pause(ms: number): void;
  /** Closes the socket; resolves once the receive loop has ended. */
  close(): Promise<void>;
}

/** Largest UDP payload over IPv6 jumbograms aside; one buffer serves every datagram. */
const MAX_DATAGRAM = 65536;

/**
 * The address text exporters are known by: IPv4-mapped IPv6 (from dual-stack sockets) as plain
 * IPv4, zone ids dropped (SQL inet has none), lower case.
 */
export function exporterAddress(hostname: string): string {
  let h = hostname.toLowerCase();
  const zone = h.indexOf("%");
  if (zone >= 0) h = h.slice(0, zone);
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  const mapped = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(h);
  return mapped ? mapped[1] : h;
}

export function startUdpListener(opts: UdpListenerOptions): UdpListener {
  let conn: Deno.DatagramConn;
  try {
    conn = Deno.listenDatagram({ transport: "udp", hostname: opts.hostname, port: opts.port });
  } catch (err) {
    throw new AppError(
      500,
      "netflow_bind_failed",
      `cannot listen for NetFlow on udp ${opts.hostname}:${opts.port}: ${
        (err as Error).message
      } (set NETFLOW_BIND_HOST / NETFLOW_BIND_PORT, or NETFLOW_ENABLED=false)`,
    );
  }
  const port = (conn.addr as Deno.NetAddr).port;
  const recvBuffer = opts.recvBufferBytes && opts.recvBufferBytes > 0
    ? setReceiveBuffer(port, opts.recvBufferBytes)
    : null;
  const inode = Deno.build.os === "linux" ? ownUdpSocket(port)?.inode ?? null : null;
  const stats: UdpListenerStats = {
    datagrams: 0,
    bytes: 0,
    receiveErrors: 0,
    handlerErrors: 0,
    refused: 0,
  };
  let pausedUntil = 0;
  const buffer = new Uint8Array(MAX_DATAGRAM);
  let closed = false;
  // Exporters are few; their normalized names are cached so each datagram costs no string work.
  const names = new Map<string, string>();

  const loop = (async () => {
    let failures = 0;
    while (!closed) {
      const wait = pausedUntil - Date.now();
      if (wait > 0) {
        await new Promise((r) => setTimeout(r, Math.min(wait, 100)));
        continue;
      }
      let got: [Uint8Array, Deno.Addr];
      try {
        got = await conn.receive(buffer);
        failures = 0;
      } catch (err) {
        if (closed) break;
        stats.receiveErrors++;
        opts.onError?.(err, "receive");
        // A socket that keeps failing must not spin the CPU: back off up to 1 s.
        failures++;
        await new Promise((r) => setTimeout(r, Math.min(1000, 2 ** failures)));
        continue;
      }
      const [data, addr] = got;
      const host = (addr as Deno.NetAddr).hostname;
      let exporter = names.get(host);
      if (exporter === undefined) {
        exporter = exporterAddress(host);
        if (names.size < 65536) names.set(host, exporter);
      }
      if (opts.allows !== undefined && !opts.allows(exporter)) {
        stats.refused++;
        continue;
      }
      stats.datagrams++;
      stats.bytes += data.length;
      try {
        opts.onDatagram(data, exporter);
      } catch (err) {
        stats.handlerErrors++;
        opts.onError?.(err, "handler");
      }
    }
  })();

  return {
    hostname: opts.hostname,
    port,
    recvBuffer,
    inode,
    stats: () => ({ ...stats }),
    pause(ms) {
      pausedUntil = Date.now() + ms;
    },
    async close() {
      if (!closed) {
        closed = true;
        try {
          conn.close();
        } catch {
          // already closed
        }
      }
      await loop;
    },
  };
}
