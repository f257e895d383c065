// The one SQL interface every service uses; PGlite and PostgreSQL both implement it.

export type SqlParam = string | number | bigint | boolean | null | Date | SqlParam[] | Uint8Array;

export interface Queryable {
  /** Runs one parameterized statement ($1, $2 …) and returns its rows. */
  query<T = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Bulk-loads CSV rows into `table (columns)` with the engine's COPY path (PGlite's
   * `FROM '/dev/blob'`, PostgreSQL's `FROM STDIN`): several times faster than row inserts.
   * `table` and `columns` are trusted identifiers (code, never input). Works on a
   * partitioned parent on both engines. Parts are sent one after the other, as one stream.
   */
  copyCsv(
    table: string,
    columns: readonly string[],
    csv: string | ReadonlyArray<string | Uint8Array>,
  ): Promise<void>;
}

export interface Db extends Queryable {
  readonly engine: "pglite" | "postgres";
  /** Runs fn inside one transaction; a throw rolls everything back. */
  tx<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Encodes a JS array as a Postgres array literal. Both engines accept it for an
 * explicitly cast parameter (`$1::inet[]`), which keeps `unnest` batch inserts
 * identical on PGlite and postgres.js (postgres.js mis-infers array element types).
 */
export function toPgArray(values: readonly SqlParam[]): string {
  const items = values.map((v) => {
    if (v === null || v === undefined) return "NULL";
    if (Array.isArray(v)) return toPgArray(v);
    if (v instanceof Date) return `"${v.toISOString()}"`;
    if (typeof v === "boolean") return v ? "t" : "f";
    const s = String(v);
    return `"${s.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
  });
  return `{${items.join(",")}}`;
}

export function encodeParams(params: readonly SqlParam[]): unknown[] {
  return params.map((p) => (Array.isArray(p) ? toPgArray(p) : p));
}

/** The cheapest round trip to the database: GET /health asks it. */
export async function pingDb(q: Queryable): Promise<void> {
  await q.query("select 1");
}
