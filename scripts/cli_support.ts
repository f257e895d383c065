// What the CLI scripts share: the usage error, opening the configured database, and how a failure
// ends the process.
import { type Config, loadConfig } from "@/services/config/config.ts";
import { type Db, migrate, openDb } from "@/services/store/mod.ts";

/** Wrong arguments: reported with a pointer to --help. */
export class UsageError extends Error {}

/** A UsageError, or node:util parseArgs refusing the arguments (unknown option, missing value). */
export function isUsageError(e: unknown): boolean {
  return e instanceof UsageError ||
    (e instanceof Error && String((e as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS"));
}

/**
 * Opens the database the config names, brings its schema up to date unless `migrate` is false
 * (a read-only command), runs `use`, and closes the database however `use` ends.
 */
export async function withConfiguredDb<T>(
  use: (db: Db, cfg: Config) => Promise<T>,
  opts: { migrate?: boolean } = {},
): Promise<T> {
  const cfg = loadConfig();
  const db = await openDb(cfg);
  try {
    if (opts.migrate !== false) await migrate(db);
    return await use(db, cfg);
  } finally {
    await db.close();
  }
}

/**
 * Runs a script's main. A failure prints one line `error: …` on stderr, never a stack trace (these
 * are tools for people, not libraries), then "run with --help for usage" when `isUsage` says the
 * arguments were at fault, and exits with status 1.
 */
export async function runCli(
  main: () => Promise<void>,
  isUsage: (e: unknown) => boolean = isUsageError,
): Promise<void> {
  try {
    await main();
  } catch (e) {
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    if (isUsage(e)) console.error("run with --help for usage");
    Deno.exit(1);
  }
}
