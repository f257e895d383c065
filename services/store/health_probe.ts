// The checks behind GET /health, for the web app and for a role process without it: each answers
// within a second under any load. A database that answered a query in the last few seconds counts
// as reachable without a probe of its own (a probe would queue behind the load on PGlite), and the
// probes that are sent give up after 900 ms.
import { type Db, pingDb } from "./db.ts";
import { msSinceDbAnswered } from "./db_liveness.ts";

const PROBE_TIMEOUT_MS = 900;
/** A query answered this recently proves the database reachable. */
const RECENT_ANSWER_MS = 5000;

/** "ok", or "error: <reason>" (at most 200 characters) when `probe` fails or takes too long. */
export async function checkWithin(
  probe: () => Promise<unknown>,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        // Two steps: when the timer fires late because the event loop was busy, the probe's
        // answer may be waiting in the same queue; one more turn lets it win before "timed out".
        timer = setTimeout(() => {
          timer = setTimeout(() => reject(new Error("timed out")), 0);
        }, timeoutMs);
      }),
    ]);
    return "ok";
  } catch (e) {
    return `error: ${(e as Error).message}`.slice(0, 200);
  } finally {
    clearTimeout(timer);
  }
}

/** The SQL database's state for /health: a recent answer, or a bounded probe. */
export function dbHealth(db: Db): Promise<string> {
  const since = msSinceDbAnswered(db);
  return since !== null && since < RECENT_ANSWER_MS
    ? Promise.resolve("ok")
    : checkWithin(() => pingDb(db));
}

/** A key-value store's state for /health (the state store, or a scanner's own Deno KV). */
export function kvHealth(kv: { get(key: string[]): Promise<unknown> }): Promise<string> {
  return checkWithin(() => kv.get(["health"]));
}
