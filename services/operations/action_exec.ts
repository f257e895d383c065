// Runs one action process: argument array via setsid (its own process group), minimal environment,
// bounded output, a deadline and cancellation that kill the whole group.

export interface ExecOptions {
  /** Absolute real path of the executable (already checked to be inside ACTIONS_DIR). */
  program: string;
  args: string[];
  cwd: string;
  /** The child's whole environment (PATH, LANG). */
  env: Record<string, string>;
  timeoutMs: number;
  /** Bytes kept of stdout and of stderr each; the rest is read and dropped. */
  maxOutputBytes: number;
  signal?: AbortSignal;
  /** Grace between SIGTERM and SIGKILL to the group (default 2000 ms). */
  killGraceMs?: number;
  /** Called with the output so far, at most every `flushMs` (live output). */
  onOutput?: (out: { stdout: string; stderr: string }) => void | Promise<void>;
  flushMs?: number;
}

export interface ExecResult {
  exit_code: number | null;
  /** 'exited' normally (any code), or stopped by the deadline or a cancel. */
  outcome: "exited" | "timed_out" | "cancelled";
  signal: string | null;
  stdout: string;
  stderr: string;
  stdout_truncated: boolean;
  stderr_truncated: boolean;
  duration_ms: number;
}

/** Appended to output cut at the cap. */
export const TRUNCATION_MARK = (n: number) => `\n[output truncated at ${n} bytes]\n`;

class Capture {
  private chunks: Uint8Array[] = [];
  private kept = 0;
  truncated = false;
  constructor(private readonly max: number) {}
  add(chunk: Uint8Array) {
    const room = this.max - this.kept;
    if (room <= 0) {
      this.truncated ||= chunk.length > 0;
      return;
    }
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (chunk.length > room) this.truncated = true;
    this.chunks.push(part.slice());
    this.kept += part.length;
  }
  text(): string {
    const all = new Uint8Array(this.kept);
    let at = 0;
    for (const c of this.chunks) {
      all.set(c, at);
      at += c.length;
    }
    const s = new TextDecoder().decode(all);
    return this.truncated ? s + TRUNCATION_MARK(this.max) : s;
  }
}

function pump(stream: ReadableStream<Uint8Array>, into: Capture) {
  const reader = stream.getReader();
  const done = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        into.add(value);
      }
    } catch {
      // cancelled, or the pipe closed under us: keep what arrived
    }
  })();
  return { done, cancel: () => void reader.cancel().catch(() => {}) };
}

function killGroup(pid: number, signal: Deno.Signal) {
  try {
    Deno.kill(-pid, signal);
  } catch { /* the group is gone */ }
}

/**
 * Starts `setsid program args…`: setsid makes the child the leader of a new process group whose id
 * is its pid (it does not fork when its caller is not a group leader, which a child of ours never
 * is), so signals to -pid reach every process the action started.
 */
export async function execAction(o: ExecOptions): Promise<ExecResult> {
  const started = performance.now();
  const grace = o.killGraceMs ?? 2000;
  const child = new Deno.Command("setsid", {
    args: [o.program, ...o.args],
    cwd: o.cwd,
    clearEnv: true,
    env: o.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const out = new Capture(o.maxOutputBytes);
  const err = new Capture(o.maxOutputBytes);
  const pumps = [pump(child.stdout, out), pump(child.stderr, err)];
  const reading = Promise.all(pumps.map((p) => p.done));

  let outcome: ExecResult["outcome"] = "exited";
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  const stop = (why: "timed_out" | "cancelled") => {
    if (outcome !== "exited") return;
    outcome = why;
    killGroup(child.pid, "SIGTERM");
    graceTimer = setTimeout(() => killGroup(child.pid, "SIGKILL"), grace);
  };
  const deadline = setTimeout(() => stop("timed_out"), o.timeoutMs);
  const onAbort = () => stop("cancelled");
  if (o.signal?.aborted) onAbort();
  else o.signal?.addEventListener("abort", onAbort, { once: true });

  let flushing = false;
  const flusher = o.onOutput
    ? setInterval(async () => {
      if (flushing) return;
      flushing = true;
      try {
        await o.onOutput!({ stdout: out.text(), stderr: err.text() });
      } catch { /* live output is best effort */ }
      flushing = false;
    }, o.flushMs ?? 500)
    : undefined;

  try {
    const status = await child.status;
    // Whatever the leader left behind (a daemonized grandchild holding our pipes) goes with it.
    killGroup(child.pid, "SIGKILL");
    // A grandchild that left the group (its own setsid) may still hold the pipes: stop reading.
    const stray = setTimeout(() => pumps.forEach((p) => p.cancel()), 1000);
    await reading.catch(() => {});
    clearTimeout(stray);
    return {
      exit_code: status.signal ? null : status.code,
      outcome,
      signal: status.signal ?? null,
      stdout: out.text(),
      stderr: err.text(),
      stdout_truncated: out.truncated,
      stderr_truncated: err.truncated,
      duration_ms: Math.round(performance.now() - started),
    };
  } finally {
    clearTimeout(deadline);
    clearTimeout(graceTimer);
    clearInterval(flusher);
    o.signal?.removeEventListener("abort", onAbort);
  }
}
