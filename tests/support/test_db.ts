// Runs a test against both SQL engines: a cloned, migrated PGlite and a fresh PostgreSQL schema.
import {
  type Db,
  migrate,
  openPostgres,
  PGlite,
  PGLITE_SHARED_BUFFERS_MB_DEFAULT,
  pgliteDb,
  pgliteParsers,
} from "@/services/store/mod.ts";

export type Engine = "pglite" | "postgres";

export const TEST_DATABASE_URL = Deno.env.get("TEST_DATABASE_URL") ??
  "postgres://postgres@127.0.0.1:5432/test";

export const ENGINES: Engine[] = (Deno.env.get("PINGFOLD_TEST_ENGINES") ?? "pglite,postgres")
  .split(",").map((s) => s.trim()).filter(Boolean) as Engine[];

let template: Promise<Blob> | undefined;

const MIGRATIONS = new URL("../../services/store/migrations/", import.meta.url);

/** Changes whenever the template is made differently (see pgliteTemplate). */
const TEMPLATE_SHAPE = "no-template-databases";

/** A key for the migrated template: the migration files' names and contents, hashed. */
async function migrationsHash(): Promise<string> {
  const names: string[] = [];
  for await (const e of Deno.readDir(MIGRATIONS)) if (e.name.endsWith(".sql")) names.push(e.name);
  const parts = await Promise.all(
    names.sort().map(async (n) => `${n}\n${await Deno.readTextFile(new URL(n, MIGRATIONS))}`),
  );
  // The template's own shape is part of the key: a cache made by older test code is not reused.
  parts.push(TEMPLATE_SHAPE);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(parts.join("\0")));
  return Array.from(new Uint8Array(digest).slice(0, 8), (b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/** Where the migrated template's data dir is cached between test files and runs. */
async function templateCachePath(): Promise<string> {
  const dir = Deno.env.get("PINGFOLD_TEST_CACHE") ??
    `${Deno.env.get("TMPDIR") ?? "/tmp"}/pingfold-test-cache`;
  await Deno.mkdir(dir, { recursive: true });
  return `${dir}/pglite-${await migrationsHash()}.tar`;
}

/**
 * The migrated PGlite data dir every test starts from. Starting PGlite from nothing (initdb)
 * costs seconds, so the first test file of a run builds it once and saves the data dir, keyed by
 * a hash of the migrations; later files (and runs) read that copy. Each test then starts its own
 * PGlite straight from these bytes: no template instance per file and no dump per test, which is
 * what `PGlite.clone()` would pay every time.
 */
function pgliteTemplate(): Promise<Blob> {
  template ??= (async () => {
    const path = await templateCachePath();
    const cached = await Deno.readFile(path).catch(() => null);
    if (cached) return new Blob([cached]);
    const pg = new PGlite("memory://", { parsers: pgliteParsers });
    await pg.waitReady;
    await migrate(pgliteDb(pg));
    // PGlite serves only its own database, and no test creates databases on it: without
    // template0 and template1 the data dir is a third smaller (28 instead of 43 MB, 500 fewer
    // files), and each test's start, which unpacks it, about 40 % faster.
    // One statement per call: DROP DATABASE may not run inside the block a multi-statement makes.
    for (
      const sql of [
        `update pg_database set datistemplate = false where datname in ('template0', 'template1')`,
        `drop database template0`,
        `drop database template1`,
        `checkpoint`,
      ]
    ) await pg.exec(sql);
    const dump = new Uint8Array(await (await pg.dumpDataDir("none")).arrayBuffer());
    await pg.close();
    // Written aside then renamed, so a parallel test file never reads half a file.
    const tmp = `${path}.${crypto.randomUUID()}.tmp`;
    await Deno.writeFile(tmp, dump);
    await Deno.rename(tmp, path);
    return new Blob([dump]);
  })();
  return template;
}

/**
 * Test databases get the product's page cache (16 MB) instead of PostgreSQL's 128 MB: besides
 * matching what runs, it spares each of the suite's hundreds of PGlite starts about a third of its
 * system time (the kernel zeroing memory the buffer pool touches).
 */
const TEST_START_PARAMS = [
  ...PGlite.defaultStartParams,
  "-c",
  `shared_buffers=${PGLITE_SHARED_BUFFERS_MB_DEFAULT}MB`,
];

async function startFrom(dataDir: Blob): Promise<PGlite> {
  const pg = new PGlite("memory://", {
    parsers: pgliteParsers,
    loadDataDir: dataDir,
    startParams: TEST_START_PARAMS,
  });
  await pg.waitReady;
  return pg;
}

/** Opens a fresh, migrated database; the returned dispose drops it. */
export async function openTestDb(
  engine: Engine,
): Promise<{ db: Db; dispose: () => Promise<void> }> {
  if (engine === "pglite") {
    let pg: PGlite;
    try {
      pg = await startFrom(await pgliteTemplate());
    } catch {
      // A damaged cache file (files are renamed into place, so only a broken disk does this):
      // drop it and build the template again, once.
      await Deno.remove(await templateCachePath()).catch(() => {});
      template = undefined;
      pg = await startFrom(await pgliteTemplate());
    }
    const db = pgliteDb(pg);
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
