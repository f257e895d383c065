// Demo data: the sample CSVs in static/samples (documentation ranges only, never scanned).
import type { Db } from "@/services/store/mod.ts";
import { importHostsCsv, type ImportReport, importSubnetsCsv } from "./import_service.ts";

export interface SeedResult {
  subnets: ImportReport;
  hosts: ImportReport;
}

const SAMPLES = new URL("../../static/samples/", import.meta.url);

/**
 * Imports static/samples/subnets.csv then hosts.csv. Rows that already exist are left alone,
 * so running it twice changes nothing; scan_enabled stays false as in the files.
 */
export async function seedDemo(db: Db, samplesDir: URL = SAMPLES): Promise<SeedResult> {
  const read = (name: string) => Deno.readTextFile(new URL(name, samplesDir));
  const subnets = await importSubnetsCsv(db, await read("subnets.csv"), { onExisting: "skip" });
  const hosts = await importHostsCsv(db, await read("hosts.csv"), { onExisting: "skip" });
  return { subnets, hosts };
}
