// CLI: `deno task inventory export [--out FILE]` and `deno task inventory import FILE` — CSV of
// organizations and servers with their addresses (formula-safe; import creates or updates by name).
import { parseArgs } from "node:util";
import type { Db } from "@/services/store/mod.ts";
import { exportInventoryCsv, importInventoryCsv } from "@/services/inventory/mod.ts";
import { pickCommand, runCli, UsageError, withConfiguredDb } from "./cli_support.ts";

const USAGE = `usage: deno task inventory <command>

  export [--out FILE]  write organizations and servers (with addresses) as CSV
  import FILE          read such a CSV ("-" = standard input): organizations first, then
                       servers; existing ones (same name) are updated, unknown addresses become
                       hosts. Each refused line is reported; the others are kept.

Columns: type,name,organization,code,role,os,location,rack,serial,tags,notes,addresses
(type is "organization" or "server"; tags and addresses are separated by ";").`;

/** Returns the exit code: 0, or 2 when some lines were refused. */
export async function runInventory(args: string[], db: Db): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  const picked = pickCommand(positionals, {
    help: values.help ?? false,
    usage: USAGE,
    commands: ["export", "import"] as const,
  });
  if (!picked) return 0;
  if (picked.command === "export") {
    const csv = await exportInventoryCsv(db);
    if (values.out) await Deno.writeTextFile(values.out, csv);
    else await Deno.stdout.write(new TextEncoder().encode(csv));
    return 0;
  }
  const [file] = picked.rest;
  if (!file) throw new UsageError("import needs a file (or - for standard input)");
  const text = file === "-"
    ? await new Response(Deno.stdin.readable).text()
    : await Deno.readTextFile(file);
  const r = await importInventoryCsv(db, text);
  console.log(
    `organizations: ${r.organizations_created} created, ${r.organizations_updated} updated; ` +
      `servers: ${r.servers_created} created, ${r.servers_updated} updated`,
  );
  for (const e of r.errors) console.error(`line ${e.line}: ${e.message}`);
  return r.errors.length ? 2 : 0;
}

if (import.meta.main) {
  let code = 0;
  await runCli(() =>
    withConfiguredDb(async (db) => void (code = await runInventory(Deno.args, db)))
  );
  Deno.exit(code);
}
