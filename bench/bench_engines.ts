// A benchmark that runs a real server process once per SQL engine: PostgreSQL in a schema of its
// own (dropped after, so the shared test database stays clean), then the embedded PGlite.
import { openPostgres } from "@/services/store/mod.ts";
import { TEST_DATABASE_URL } from "@/tests/support/test_db.ts";

export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

export type Engine = "PostgreSQL" | "PGlite";

/** `run` for each engine with the environment that selects it; a failed engine is one row. */
export async function onBothEngines(
  what: string,
  run: (engine: Engine, extraEnv: Record<string, string>) => Promise<BenchRow[]>,
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const schema = `bench_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = openPostgres(TEST_DATABASE_URL, { max: 1 });
  try {
    await admin.exec(`create schema ${schema}`);
    const url = TEST_DATABASE_URL + (TEST_DATABASE_URL.includes("?") ? "&" : "?") +
      `search_path=${schema}`;
    rows.push(...await run("PostgreSQL", { DATABASE_URL: url }));
  } catch (err) {
    rows.push({ name: `${what} (PostgreSQL)`, value: NaN, unit: "", note: String(err) });
  } finally {
    await admin.exec(`drop schema if exists ${schema} cascade`).catch(() => {});
    await admin.close();
  }
  rows.push(...await run("PGlite", {}));
  return rows;
}
