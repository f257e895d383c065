// PostgreSQL engine through postgres.js, selected by DATABASE_URL.
import postgres from "postgres";
import { type Db, encodeParams, type Queryable, type SqlParam } from "./db.ts";

type Sql = ReturnType<typeof postgres>;

function wrap(sql: Pick<Sql, "unsafe">): Queryable {
  const copyCsv = async (
    table: string,
    columns: readonly string[],
    csv: string | ReadonlyArray<string | Uint8Array>,
  ) => {
    const stream = await sql.unsafe(
      `copy ${table} (${columns.join(", ")}) from stdin with (format csv)`,
    ).writable();
    await new Promise<void>((resolve, reject) => {
      stream.on("error", reject);
      stream.on("finish", resolve);
      for (const part of typeof csv === "string" ? [csv] : csv) stream.write(part);
      stream.end();
    });
  };
  return {
    async query<T>(text: string, params: readonly SqlParam[] = []) {
      // deno-lint-ignore no-explicit-any
      return [...await sql.unsafe(text, encodeParams(params) as any[])] as T[];
    },
    async exec(text: string) {
      await sql.unsafe(text);
    },
    copyCsv,
  };
}

export interface PostgresOptions {
  /** Schema put first on the search path (tests use a fresh one each). */
  schema?: string;
  max?: number;
}

export function openPostgres(url: string, opts: PostgresOptions = {}): Db {
  const sql = postgres(url, {
    max: opts.max ?? 10,
    onnotice: () => {},
    connection: opts.schema ? { search_path: `${opts.schema},public` } : {},
    types: {
      // JSON parameters arrive already serialized (as with PGlite); don't encode them twice.
      json: {
        to: 3802,
        from: [114, 3802],
        serialize: (x: unknown) => (typeof x === "string" ? x : JSON.stringify(x)),
        parse: (x: string) => JSON.parse(x),
      },
      // int8 counts and ids as JS numbers, the same as the PGlite engine returns.
      bigint: {
        to: 20,
        from: [20],
        serialize: (x: number) => String(x),
        parse: (x: string) => Number(x),
      },
    },
  });
  return {
    engine: "postgres",
    ...wrap(sql),
    tx: (fn) => sql.begin((t) => fn(wrap(t))) as Promise<never>,
    close: () => sql.end({ timeout: 5 }),
  };
}
