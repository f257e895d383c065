// Proves a host alive by TCP: an accepted connection or a quick refusal (RST) both need a live host.

/** Opens a TCP connection; `Deno.connect` in production, swappable in tests. */
export type TcpDial = (
  opts: { hostname: string; port: number; signal: AbortSignal },
) => Promise<{ close(): void }>;

/** The real dialer. */
export const denoDial: TcpDial = ({ hostname, port, signal }) =>
  Deno.connect({ hostname, port, transport: "tcp", signal });

/**
 * How one connection attempt ended. "open" and "refused" mean the host answered; "unreachable"
 * (no route, ARP/ND failure, ICMP unreachable) and "timeout" mean it did not.
 */
export type TcpOutcome = "open" | "refused" | "unreachable" | "timeout" | "aborted";

export interface TcpProbeOptions {
  /** Ports to try, all at once; the first that answers decides. */
  ports: number[];
  /** How long one connection attempt may take. */
  timeoutMs: number;
  /** Further rounds after a round in which every port timed out. */
  retries: number;
  dial?: TcpDial;
  signal?: AbortSignal;
  /** Clock in milliseconds, for the latency. */
  now?: () => number;
}

/** One host's answer over TCP. */
export interface TcpProbe {
  ip: string;
  up: boolean;
  /** Time until the deciding answer (connect or RST); null when down. */
  latencyMs: number | null;
  /** The port that answered, or null. */
  port: number | null;
  /** The deciding outcome: the answering one when up, otherwise the last round's best guess. */
  outcome: TcpOutcome;
}

/** One connection attempt to `ip:port`, classified. Never throws. */
export async function tcpConnect(
  ip: string,
  port: number,
  timeoutMs: number,
  dial: TcpDial = denoDial,
  signal?: AbortSignal,
): Promise<TcpOutcome> {
  if (signal?.aborted) return "aborted";
  const timer = new AbortController();
  const handle = setTimeout(() => timer.abort(), timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timer.signal]) : timer.signal;
  try {
    const conn = await dial({ hostname: ip, port, signal: combined });
    conn.close();
    return "open";
  } catch (err) {
    if (err instanceof Deno.errors.ConnectionRefused) return "refused";
    // A reset during the handshake also took a live TCP stack to send.
    if (err instanceof Deno.errors.ConnectionReset) return "refused";
    if (timer.signal.aborted && !signal?.aborted) return "timeout";
    if (signal?.aborted) return "aborted";
    if (err instanceof Deno.errors.TimedOut) return "timeout";
    return "unreachable";
  } finally {
    clearTimeout(handle);
  }
}

/**
 * Tries every port of `opts.ports` on `ip` concurrently; up as soon as one is accepted or refused
 * (the other attempts are then cancelled). A round where all attempts time out is repeated up to
 * `retries` times; an unreachable answer is final.
 */
export async function tcpProbe(ip: string, opts: TcpProbeOptions): Promise<TcpProbe> {
  const now = opts.now ?? (() => performance.now());
  const dial = opts.dial ?? denoDial;
  let outcome: TcpOutcome = "timeout";
  for (let round = 0; round <= opts.retries; round++) {
    if (opts.signal?.aborted) {
      return { ip, up: false, latencyMs: null, port: null, outcome: "aborted" };
    }
    const started = now();
    const cancel = new AbortController();
    const signal = opts.signal ? AbortSignal.any([opts.signal, cancel.signal]) : cancel.signal;
    let winner: { port: number; outcome: TcpOutcome; ms: number } | null = null;
    const outcomes = await Promise.all(opts.ports.map(async (port) => {
      const result = await tcpConnect(ip, port, opts.timeoutMs, dial, signal);
      if ((result === "open" || result === "refused") && winner === null) {
        winner = { port, outcome: result, ms: now() - started };
        cancel.abort();
      }
      return result;
    }));
    const won = winner as { port: number; outcome: TcpOutcome; ms: number } | null;
    if (won) return { ip, up: true, latencyMs: won.ms, port: won.port, outcome: won.outcome };
    if (opts.signal?.aborted) {
      return { ip, up: false, latencyMs: null, port: null, outcome: "aborted" };
    }
    outcome = outcomes.includes("unreachable") ? "unreachable" : "timeout";
    if (outcome === "unreachable") break;
  }
  return { ip, up: false, latencyMs: null, port: null, outcome };
}
