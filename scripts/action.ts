// CLI: `deno task action list` and `deno task action run NAME HOST` — run an action on a host (its
// address or id) as the CLI user, print its output and exit with its exit code.
import { openKvStateStore } from "@/services/store/mod.ts";
import { parseArgs } from "node:util";
import type { Config } from "@/services/config/config.ts";
import type { Db } from "@/services/store/mod.ts";
import {
  createOperations,
  getActionByName,
  getRun,
  listActions,
  operationsSettings,
  startRun,
} from "@/services/operations/mod.ts";
import { getHostByIp, parseIp } from "@/services/ipam/mod.ts";
import { notFound } from "@/services/errors.ts";
import { createTaskRunner } from "@/services/tasks/mod.ts";
import { pickCommand, runCli, UsageError, withConfiguredDb } from "./cli_support.ts";

const USAGE = `usage: deno task action <command>

  list                 the actions defined (name, executable, arguments, timeout)
  run NAME HOST        run action NAME on HOST (an address or a host id); prints its output and
                       exits with its exit code (124 on timeout, 130 when cancelled)

Runs are recorded and audited like runs from the web UI (user "cli").`;

async function hostId(db: Db, text: string): Promise<number> {
  if (/^\d+$/.test(text)) return Number(text);
  const host = await getHostByIp(db, parseIp(text).ip);
  if (!host) throw notFound(`host ${text}`);
  return host.id;
}

/** Returns the process exit code. */
export async function runAction(args: string[], db: Db, cfg: Config): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { help: { type: "boolean", short: "h" } },
  });
  const picked = pickCommand(positionals, {
    help: values.help ?? false,
    usage: USAGE,
    commands: ["list", "run"] as const,
  });
  if (!picked) return 0;
  if (picked.command === "list") {
    const rows = await listActions(db);
    if (rows.length === 0) console.log("no actions defined");
    for (const a of rows) {
      console.log(
        `${a.name}\t${a.executable} ${a.args.join(" ")}\t${a.timeout_s} s${
          a.editors_may_run ? "\teditors may run" : ""
        }`,
      );
    }
    return 0;
  }
  const [name, host, ...extra] = picked.rest;
  if (!name || !host) throw new UsageError("run needs an action name and a host");
  if (extra.length) throw new UsageError(`unexpected arguments: ${extra.join(" ")}`);
  const kv = await openKvStateStore(":memory:");
  try {
    const ops = createOperations({
      db,
      kv,
      now: Date.now,
      settings: operationsSettings(cfg),
      tasks: createTaskRunner(db),
    });
    const action = await getActionByName(db, name);
    const started = await startRun(ops.actions, {
      actionId: action.id,
      hostId: await hostId(db, host),
    }, {
      username: "cli",
      role: "admin",
    });
    await ops.actions.tasks.drain();
    const run = await getRun(db, started.run_id);
    if (run.stdout) await Deno.stdout.write(new TextEncoder().encode(run.stdout));
    if (run.stderr) await Deno.stderr.write(new TextEncoder().encode(run.stderr));
    console.error(
      `run ${run.id}: ${run.status}${run.exit_code === null ? "" : `, exit code ${run.exit_code}`}`,
    );
    if (run.status === "timed_out") return 124;
    if (run.status === "cancelled") return 130;
    return run.exit_code ?? 1;
  } finally {
    kv.close();
  }
}

if (import.meta.main) {
  let code = 0;
  await runCli(() =>
    withConfiguredDb(async (db, cfg) => void (code = await runAction(Deno.args, db, cfg)))
  );
  Deno.exit(code);
}
