// Small helpers shared by the IPAM repositories: timestamps, unique violations, LIKE escaping, locking.
import type { Queryable } from "@/services/store/mod.ts";

/** ISO 8601 UTC text for a timestamptz column (both engines return Date). */
export function iso(value: unknown): string | null {
  if (value == null) return null;
  if (value instanceof Date) return value.toISOString();
  const d = new Date(String(value));
  return Number.isNaN(d.getTime()) ? String(value) : d.toISOString();
}

/** True for PostgreSQL's unique_violation (23505) on either engine. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === "23505";
}

/** Escapes %, _ and \ so user text matches literally inside a LIKE pattern. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/** Tags travel through unnest() batches as one ";"-joined text (";" is never inside a tag). */
export function joinTagsParam(tags: readonly string[]): string {
  return tags.join(";");
}

/** Any constant works; it only has to differ from the other advisory locks (migrations). */
const TREE_LOCK_KEY = 7_468_737;

/**
 * Serializes writes that derive the tree (subnet parents, host subnets) until the transaction
 * ends. Without it two concurrent transactions on PostgreSQL could each miss the other's new
 * subnet or host and leave a parent or subnet_id stale.
 */
export async function lockIpamTree(tx: Queryable): Promise<void> {
  await tx.query("select pg_advisory_xact_lock($1)", [TREE_LOCK_KEY]);
}
