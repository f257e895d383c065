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
 * Reads `<command> [args...]` from the positional arguments. Prints `usage` and returns null when
 * help was asked for or no command was given; an unknown command is a UsageError.
 */
export function pickCommand<C extends string>(
  positionals: readonly string[],
  opts: { help: boolean; usage: string; commands: readonly C[] },
): { command: C; rest: string[] } | null {
  const [command, ...rest] = positionals;
  if (opts.help || !command) {
    console.log(opts.usage);
    return null;
  }
  if (!(opts.commands as readonly string[]).includes(command)) {
    throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
  return { command: command as C, rest };
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
