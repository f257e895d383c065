// Runs external programs (fping, ping, nmap) as argument arrays, with a timeout and a minimal
// environment; injectable for tests.

/** Per-call options for a {@link CommandRunner}. */
export interface RunOptions {
  /** Kill the child (SIGTERM, then SIGKILL after a short grace) when it runs longer than this. */
  timeoutMs?: number;
  /** Aborting kills the child the same way as a timeout. */
  signal?: AbortSignal;
  /** Text written to the child's stdin (then closed); stdin is /dev/null when absent. */
  stdin?: string;
  /**
   * Called with stdout text as it arrives (UTF-8, any split), so a caller can act on a long-running
   * child's output before it exits; `stdout` in the result still holds all of it.
   */
  onStdout?: (text: string) => void;
}

/** What a finished (or killed) child left behind. */
export interface RunResult {
  /** Exit code; 127 when the binary was not found, 128+n when killed by signal n. */
  code: number;
  stdout: string;
  stderr: string;
  /** The binary does not exist on the runner's PATH (ENOENT); nothing was started. */
  notFound?: boolean;
  /** The child was killed because `timeoutMs` elapsed. */
  timedOut?: boolean;
  /** The child was killed because `signal` was aborted. */
  aborted?: boolean;
}

/** Runs `cmd` with `args` (never through a shell) and collects its output. */
export type CommandRunner = (
  cmd: string,
  args: string[],
  opts?: RunOptions,
) => Promise<RunResult>;

/** How a runner built by {@link createCommandRunner} finds and starts programs. */
export interface CommandRunnerOptions {
  /** PATH used to look programs up (and given to the child); lets tests hide fping. */
  path?: string;
  /**
   * Extra environment variables for the child, on top of the minimal PATH and LANG. Nothing of
   * this process's own environment reaches a child: nmap reads NMAP_ARGS itself, and secrets
   * (ADMIN_PASSWORD, DATABASE_URL) have no business in a probe.
   */
  env?: Record<string, string>;
  /**
   * Command prefix the resolved program is handed to, e.g. `["ip", "netns", "exec", "lab"]` or
   * `["setpriv", "--reuid=65534", "--"]`. The program is still looked up on `path` first, so a
   * missing program reports `notFound` rather than the prefix's own error.
   */
  prefix?: string[];
  /** Grace between SIGTERM and SIGKILL when a child is stopped early (default 1000 ms). */
  killGraceMs?: number;
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2 };

/** The locale every child runs in, so tools print the output their parsers expect. */
export const CHILD_LANG = "C.UTF-8";

/**
 * The whole environment an external tool gets: PATH (`path`, or this process's) and LANG, and
 * nothing else. Pass it with `clearEnv: true` to every `Deno.Command`.
 */
export function childEnv(path?: string): Record<string, string> {
  return {
    PATH: path ?? Deno.env.get("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin",
    LANG: CHILD_LANG,
  };
}

/** Builds a {@link CommandRunner} on top of `Deno.Command`. */
export function createCommandRunner(options: CommandRunnerOptions = {}): CommandRunner {
  const killGraceMs = options.killGraceMs ?? 1000;
  const env = { ...(options.env ?? {}), ...childEnv(options.path) };

  return async (cmd, args, opts = {}) => {
    let program = cmd;
    let programArgs = args;
    if (options.prefix && options.prefix.length > 0) {
      const resolved = await resolveProgram(cmd, options.path ?? Deno.env.get("PATH") ?? "");
      if (resolved === null) return notFoundResult(cmd, options.path);
      // The prefix itself (setpriv, ip) comes from this process's PATH, not the runner's.
      const head = await resolveProgram(options.prefix[0], Deno.env.get("PATH") ?? "") ??
        options.prefix[0];
      [program, ...programArgs] = [head, ...options.prefix.slice(1), resolved, ...args];
    }

    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(program, {
        args: programArgs,
        clearEnv: true,
        env,
        stdin: opts.stdin === undefined ? "null" : "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return notFoundResult(program, options.path);
      throw err;
    }

    let timedOut = false;
    let aborted = false;
    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    const stop = () => {
      try {
        child.kill("SIGTERM");
      } catch { /* already exited */ }
      // A child that ignores SIGTERM must not outlive its deadline for long.
      graceTimer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* already exited */ }
      }, killGraceMs);
    };
    const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      stop();
    }, opts.timeoutMs);
    const onAbort = () => {
      aborted = true;
      stop();
    };
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener("abort", onAbort, { once: true });

    const feeding = opts.stdin === undefined ? Promise.resolve() : feed(child, opts.stdin);
    const stdout = drain(child.stdout, opts.onStdout);
    const stderr = drain(child.stderr);
    try {
      const status = await child.status;
      await feeding;
      // A grandchild that inherited our pipes (a daemon, `sh -c "x &"`) must not keep us waiting
      // after the child itself is gone: take what is buffered, then stop reading.
      const strayGuard = setTimeout(() => {
        stdout.cancel();
        stderr.cancel();
      }, killGraceMs);
      const [out, err] = await Promise.all([stdout.text, stderr.text]);
      clearTimeout(strayGuard);
      const result: RunResult = {
        code: status.signal ? 128 + (SIGNAL_NUMBERS[status.signal] ?? 0) : status.code,
        stdout: out,
        stderr: err,
      };
      if (timedOut) result.timedOut = true;
      if (aborted) result.aborted = true;
      return result;
    } finally {
      clearTimeout(timer);
      clearTimeout(graceTimer);
      opts.signal?.removeEventListener("abort", onAbort);
    }
  };
}

/** The default runner: the process's own PATH, and otherwise only LANG. */
export const runCommand: CommandRunner = createCommandRunner();

/** Reads a pipe to the end (or until cancelled) as UTF-8 text, passing each piece to `onText`. */
function drain(
  stream: ReadableStream<Uint8Array>,
  onText?: (text: string) => void,
): { text: Promise<string>; cancel: () => void } {
  const reader = stream.getReader();
  const text = (async () => {
    const decoder = new TextDecoder();
    let acc = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const piece = decoder.decode(value, { stream: true });
        acc += piece;
        if (onText && piece) tell(onText, piece);
      }
    } catch {
      // cancelled: keep what arrived
    }
    const tail = decoder.decode();
    if (onText && tail) tell(onText, tail);
    return acc + tail;
  })();
  return { text, cancel: () => void reader.cancel().catch(() => {}) };
}

/** A listener's throw must not stop the draining: the child would block on a full pipe. */
function tell(onText: (text: string) => void, text: string): void {
  try {
    onText(text);
  } catch { /* the listener's own bug; the full output is still returned */ }
}

async function feed(child: Deno.ChildProcess, text: string): Promise<void> {
  const writer = child.stdin.getWriter();
  try {
    await writer.write(new TextEncoder().encode(text));
    await writer.close();
  } catch {
    // The child exited before reading everything (bad arguments, killed); its exit code tells why.
    try {
      await writer.abort();
    } catch { /* already closed */ }
  }
}

function notFoundResult(cmd: string, path: string | undefined): RunResult {
  const where = path === undefined ? "PATH" : `PATH=${path}`;
  return { code: 127, stdout: "", stderr: `${cmd}: not found on ${where}`, notFound: true };
}

/** Finds an executable the way a shell would, so a prefix (setpriv, ip netns exec) gets a full path. */
export async function resolveProgram(cmd: string, path: string): Promise<string | null> {
  const candidates = cmd.includes("/")
    ? [cmd]
    : path.split(":").filter(Boolean).map((dir) => `${dir}/${cmd}`);
  for (const candidate of candidates) {
    try {
      const info = await Deno.stat(candidate);
      if (info.isFile && info.mode !== null && (info.mode & 0o111) !== 0) return candidate;
    } catch {
      // not here; try the next directory
    }
  }
  return null;
}
