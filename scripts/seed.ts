// CLI: `deno task seed` loads the demo subnets and hosts (documentation ranges only, never scanned).
import type { Db } from "@/services/store/mod.ts";
import { audit } from "@/services/auth/mod.ts";
import { seedDemo } from "@/services/ipam/mod.ts";
import { runCli, withConfiguredDb } from "./cli_support.ts";

const USAGE = `usage: deno task seed

Imports static/samples/subnets.csv and static/samples/hosts.csv: subnets and hosts in the
ranges 127.0.2.0/24 (loopback), 198.51.100.0/24, 203.0.113.0/24 and 2001:db8::/48, with
tags and notes, scanning off. Existing rows are left alone, so running it twice changes nothing.`;

/** Seeds `db` and returns the lines to print. */
export async function runSeed(db: Db): Promise<string[]> {
  const { subnets, hosts } = await seedDemo(db);
  await audit(db, { username: null, action: "ipam.seed", detail: { via: "cli" } });
  const line = (what: string, r: typeof subnets) =>
    `${what}: ${r.summary.create} created, ${r.summary.skip} already there` +
    (r.summary.error ? `, ${r.summary.error} errors` : "");
  return [line("subnets", subnets), line("hosts", hosts), "scanning is off for every demo subnet"];
}

if (import.meta.main) {
  if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
    console.log(USAGE);
    Deno.exit(0);
  }
  await runCli(() =>
    withConfiguredDb(async (db) => {
      for (const line of await runSeed(db)) console.log(line);
    })
  );
}
