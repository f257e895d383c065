// Where the scan scope lives: the admin's setting in SQL, else SCAN_SCOPE, else the default.
import { audit } from "@/services/auth/mod.ts";
import type { Db, Queryable } from "@/services/store/mod.ts";
import { DEFAULT_SCAN_SCOPE, parseScanScope, type ScanScope, scopeCidrs } from "./scan_scope.ts";

/** The scope in force and where it came from. */
export interface ScanScopeSetting {
  cidrs: string[];
  /** "settings": set by an admin; "env": SCAN_SCOPE; "default": neither. */
  source: "settings" | "env" | "default";
  /** What applies without an admin's setting (SCAN_SCOPE or the default). */
  fallback: string[];
  /** ISO 8601 UTC; null unless set in Settings. */
  updated_at: string | null;
  updated_by: string | null;
}

/** SCAN_SCOPE (already split by config), or the built-in default when it is unset. */
export function fallbackScope(envScope: readonly string[] | undefined): {
  cidrs: string[];
  source: "env" | "default";
} {
  return envScope === undefined
    ? { cidrs: [...DEFAULT_SCAN_SCOPE], source: "default" }
    : { cidrs: scopeCidrs(parseScanScope(envScope)), source: "env" };
}

export async function readScanScopeSetting(
  q: Queryable,
  envScope: readonly string[] | undefined,
): Promise<ScanScopeSetting> {
  const fallback = fallbackScope(envScope);
  const [row] = await q.query<{ cidrs: string[]; updated_at: unknown; updated_by: string | null }>(
    `select cidrs, updated_at, updated_by from scan_scope_setting where id = 1`,
  );
  if (!row) return { ...fallback, fallback: fallback.cidrs, updated_at: null, updated_by: null };
  return {
    cidrs: row.cidrs ?? [],
    source: "settings",
    fallback: fallback.cidrs,
    updated_at: new Date(row.updated_at as string).toISOString(),
    updated_by: row.updated_by,
  };
}

/** The scope probes are checked against, read fresh so a change applies at once everywhere. */
export async function readScanScope(
  q: Queryable,
  envScope: readonly string[] | undefined,
): Promise<ScanScope> {
  return parseScanScope((await readScanScopeSetting(q, envScope)).cidrs);
}

/**
 * Sets the scope (validated; 422 `invalid_scan_scope` names bad entries), or with `cidrs` null
 * goes back to SCAN_SCOPE / the default. Audited as `settings.scan_scope` with before and after.
 */
export async function saveScanScope(
  db: Db,
  envScope: readonly string[] | undefined,
  cidrs: readonly string[] | null,
  actor: { username: string; clientIp?: string | null },
): Promise<ScanScopeSetting> {
  const next = cidrs === null ? null : scopeCidrs(parseScanScope(cidrs));
  return await db.tx(async (tx) => {
    const before = await readScanScopeSetting(tx, envScope);
    if (next === null) {
      await tx.query(`delete from scan_scope_setting where id = 1`);
    } else {
      await tx.query(
        `insert into scan_scope_setting (id, cidrs, updated_at, updated_by)
         values (1, $1::text[], now(), $2)
         on conflict (id) do update
           set cidrs = excluded.cidrs, updated_at = excluded.updated_at,
               updated_by = excluded.updated_by`,
        [next, actor.username],
      );
    }
    const after = await readScanScopeSetting(tx, envScope);
    await audit(tx, {
      username: actor.username,
      action: "settings.scan_scope",
      target: "scan_scope",
      detail: { from: before.cidrs, to: after.cidrs, source: after.source },
      clientIp: actor.clientIp ?? null,
    });
    return after;
  });
}
