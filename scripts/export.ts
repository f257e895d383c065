// CLI: `deno task export hosts|subnets [--out FILE]` — the same CSV as the API export, filterable.
import { parseArgs } from "node:util";
import type { Db } from "@/services/store/mod.ts";
import { hostsCsvStream, parseCidr, subnetsCsvStream } from "@/services/ipam/mod.ts";
import { runCli, UsageError, withConfiguredDb } from "./cli_support.ts";

export { UsageError };

const USAGE = `usage: deno task export <hosts|subnets> [options]

  --out FILE       write to FILE instead of standard output
  --within CIDR    only rows inside this prefix (e.g. 198.51.100.0/24)
  --tag TAG        only rows with this tag
  --q TEXT         only rows whose text matches (as in the web search)
  --bom            start with a UTF-8 BOM (helps Excel with non-ASCII text)

Cells starting with = + - @, tab or CR get a leading ' so spreadsheets do not run them;
deno task import reads such files back unchanged.`;

/** Streams the CSV into the stream `open` returns for --out (null = standard output). */
export async function runExport(
  args: string[],
  db: Db,
  open: (path: string | null) => Promise<WritableStream<Uint8Array>>,
): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: "string" },
      within: { type: "string" },
      tag: { type: "string" },
      q: { type: "string" },
      bom: { type: "boolean" },
    },
  });
  const [kind] = positionals;
  if (kind !== "hosts" && kind !== "subnets") {
    throw new UsageError(
      `first argument must be hosts or subnets, got ${JSON.stringify(kind ?? "")}`,
    );
  }
  const filter = {
    within: values.within ? parseCidr(values.within, { normalize: true }).cidr : undefined,
    tag: values.tag,
    q: values.q,
  };
  const stream = kind === "hosts"
    ? hostsCsvStream(db, filter, { bom: values.bom })
    : subnetsCsvStream(db, filter, { bom: values.bom });
  await stream.pipeTo(await open(values.out ?? null));
}

if (import.meta.main) {
  if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const openOut = async (path: string | null) =>
    path
      ? (await Deno.open(path, { write: true, create: true, truncate: true })).writable
      : Deno.stdout.writable;
  // Exporting only reads: no migration.
  await runCli(
    () => withConfiguredDb((db) => runExport(Deno.args, db, openOut), { migrate: false }),
    (e) => e instanceof UsageError,
  );
}
