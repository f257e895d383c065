// Remembers when the database last answered, so GET /health can say "reachable" without queueing
// its own probe behind a busy engine (PGlite runs one statement at a time: under load a probe
// waits for every query before it, and /health turned 503 while the database was fine).
import type { Db, Queryable } from "./db.ts";

const lastAnswer = new WeakMap<Db, number>();

/** `db` with every successful statement noted; the result is what the app should use. */
export function trackLiveness(db: Db, now: () => number = Date.now): Db {
  const noted = <T>(p: Promise<T>): Promise<T> =>
    p.then((v) => {
      lastAnswer.set(tracked, now());
      return v;
    });
  const wrap = (q: Queryable): Queryable => ({
    query: (sql, params) => noted(q.query(sql, params)),
    exec: (sql) => noted(q.exec(sql)),
    copyCsv: (table, columns, csv) => noted(q.copyCsv(table, columns, csv)),
  });
  const tracked: Db = {
    ...db, // anything an engine adds beyond Db stays reachable
    ...wrap(db),
    tx: (fn) => noted(db.tx((t) => fn(wrap(t)))),
    close: () => db.close(),
  };
  return tracked;
}

/** Milliseconds since `db` (made by trackLiveness) last answered; null if never or untracked. */
export function msSinceDbAnswered(db: Db, now: () => number = Date.now): number | null {
  const at = lastAnswer.get(db);
  return at === undefined ? null : now() - at;
}
