// Runs a test against both SQL engines: a cloned, migrated PGlite and a fresh PostgreSQL schema.
import { type Db, migrate, openPostgres } from "@/services/store/mod.ts";
import { clonePglite, PGlite, pgliteParsers } from "@/services/store/mod.ts";
import { pgliteDb } from "@/services/store/mod.ts";

export type Engine = "pglite" | "postgres";

export const TEST_DATABASE_URL = Deno.env.get("TEST_DATABASE_URL") ??
  "postgres://postgres@127.0.0.1:5432/test";

export const ENGINES: Engine[] = (Deno.env.get("PINGFOLD_TEST_ENGINES") ?? "pglite,postgres")
  .split(",").map((s) => s.trim()).filter(Boolean) as Engine[];

let template: Promise<PGlite> | undefined;

function pgliteTemplate(): Promise<PGlite> {
  template ??= (async () => {
    const pg = new PGlite("memory://", { parsers: pgliteParsers });
    await pg.waitReady;
    await migrate(pgliteDb(pg));
    return pg;
  })();
  return template;
}

/** Opens a fresh, migrated database; the returned dispose drops it. */
export async function openTestDb(
  engine: Engine,
): Promise<{ db: Db; dispose: () => Promise<void> }> {
  if (engine === "pglite") {
    const db = await clonePglite(await pgliteTemplate());
    return { db, dispose: () => db.close() };
  }
  const schema = `t_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const admin = openPostgres(TEST_DATABASE_URL, { max: 1 });
  try {
    await admin.exec(`create schema ${schema}`);
  } catch (e) {
    await admin.close();
    throw new Error(
      `PostgreSQL at ${TEST_DATABASE_URL} is needed for the postgres engine tests ` +
        `(set TEST_DATABASE_URL, or PINGFOLD_TEST_ENGINES=pglite to run only PGlite): ${e}`,
    );
  }
  const db = openPostgres(TEST_DATABASE_URL, { schema, max: 4 });
  await migrate(db);
  return {
    db,
    dispose: async () => {
      await db.close();
      await admin.exec(`drop schema ${schema} cascade`);
      await admin.close();
    },
  };
}

const noSanitize = { sanitizeOps: false, sanitizeResources: false };

/** Registers `name [engine]` once per engine with a fresh database each. */
export function dbTest(name: string, fn: (db: Db, engine: Engine) => Promise<void>) {
  for (const engine of ENGINES) {
    Deno.test({
      name: `${name} [${engine}]`,
      ...noSanitize,
      async fn() {
        const { db, dispose } = await openTestDb(engine);
        try {
          await fn(db, engine);
        } finally {
          await dispose();
        }
      },
    });
  }
}
