// main.ts started as one cluster role, the way an operator starts it: settings in its environment.
// Its JSON log lines are collected so a test can wait for what it says.
import { mainCommand } from "./main_process.ts";
import type { Db } from "@/services/store/mod.ts";

/** Settings that keep a role test to its sweeps: no PTR, SNMP, NetFlow, nmap or jitter. */
export const QUIET_ROLE_ENV = {
  PTR_LOOKUP_ENABLED: "0",
  SNMP_ENABLED: "0",
  NETFLOW_ENABLED: "0",
  ENABLE_NMAP_SCHEDULER: "0",
  SCAN_JITTER: "0",
  PING_TIMEOUT_MS: "200",
};

export interface RoleProcess {
  name: string;
  lines: Array<Record<string, unknown>>;
  /** Waits (bounded) until a log line matches. */
  waitFor(
    pred: (l: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  kill(signal?: Deno.Signal): Promise<void>;
  /** The last `n` lines it wrote (for a failing test's message). */
  tail(n?: number): string;
  readonly exited: Promise<Deno.CommandStatus>;
}

export function startRole(
  name: string,
  cwd: string,
  env: Record<string, string>,
  wrap?: string[],
): RoleProcess {
  const cmd = mainCommand(cwd, { LOG_LEVEL: "info", ...env }, { stdout: "null" });
  const child = wrap
    ? new Deno.Command(wrap[0], {
      args: [...wrap.slice(1), Deno.execPath(), ...cmdArgs()],
      cwd,
      clearEnv: true,
      env: envOf(cwd, env),
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn()
    : cmd.spawn();
  const lines: Array<Record<string, unknown>> = [];
  const text: string[] = [];
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buf = "";
    for await (const chunk of child.stderr) {
      buf += decoder.decode(chunk, { stream: true });
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        text.push(line);
        try {
          lines.push(JSON.parse(line));
        } catch { /* not a log line */ }
      }
    }
  })();
  let done = false;
  const exited = child.status.then(async (s) => {
    done = true;
    await reading.catch(() => {});
    return s;
  });
  return {
    name,
    lines,
    exited,
    async waitFor(pred, timeoutMs = 60_000) {
      const end = Date.now() + timeoutMs;
      while (Date.now() < end) {
        const hit = lines.find(pred);
        if (hit) return hit;
        if (done) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`${name}: no such log line; last lines:\n${text.slice(-15).join("\n")}`);
    },
    tail: (n = 20) => `${name}:\n${text.slice(-n).join("\n")}`,
    async kill(signal: Deno.Signal = "SIGTERM") {
      if (!done) {
        try {
          child.kill(signal);
        } catch { /* gone */ }
      }
      await exited;
    },
  };
}

const ROOT = new URL("../../", import.meta.url);
function cmdArgs() {
  return [
    "run",
    "-A",
    "--config",
    new URL("deno.json", ROOT).pathname,
    new URL("main.ts", ROOT).pathname,
  ];
}
function envOf(cwd: string, env: Record<string, string>) {
  const home = Deno.env.get("HOME") ?? cwd;
  return {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: home,
    DENO_DIR: Deno.env.get("DENO_DIR") ?? `${home}/.cache/deno`,
    DATA_DIR: `${cwd}/data`,
    PORT: "0",
    LOG_LEVEL: "info",
    ...env,
  };
}

/**
 * A launcher of roles that share settings: each starts in `dir/<name>` with `common` plus its own,
 * and is remembered in `procs` (for the test's cleanup).
 */
export function roleLauncher(dir: string, common: Record<string, string>, procs: RoleProcess[]) {
  return (name: string, env: Record<string, string>, wrap?: string[]): RoleProcess => {
    const cwd = `${dir}/${name}`;
    Deno.mkdirSync(cwd, { recursive: true });
    const p = startRole(name, cwd, { ...common, ...env }, wrap);
    procs.push(p);
    return p;
  };
}

/** A role process that should refuse to start: its exit code and stderr, killed after 60 s. */
export async function refusedStart(cwd: string, env: Record<string, string>) {
  const child = mainCommand(cwd, { LOG_LEVEL: "info", ...env }, { stdout: "null" }).spawn();
  const guard = setTimeout(() => child.kill("SIGKILL"), 60_000);
  try {
    const out = await child.output();
    return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
  } finally {
    clearTimeout(guard);
  }
}

/**
 * Waits for `ingest` to log a sweep result of `cidr` ingested; returns the subnet ids SQL keeps
 * for that result (one, when it was written once).
 */
export async function ingestedSubnets(ingest: RoleProcess, db: Db, cidr: string) {
  const ingested = await ingest.waitFor((l) =>
    l.msg === "sweep result ingested" && l.outcome === "ingested" && l.subnet === cidr
  );
  const stored = await db.query<{ subnet_id: number }>(
    "select subnet_id from ingested_result where result_id = $1",
    [String(ingested.result_id)],
  );
  return stored.map((r) => r.subnet_id);
}
