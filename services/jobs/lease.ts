// Leases in Deno KV: at most one holder per job (e.g. one sweep per subnet) across instances.

export interface Lease {
  key: Deno.KvKey;
  owner: string;
  /** Ms epoch after which another owner may take it, even if never released (crash). */
  expiresAt: number;
}

interface LeaseValue {
  owner: string;
  expires_at: number;
  acquired_at: number;
}

export const leaseKey = (...name: Deno.KvKeyPart[]): Deno.KvKey => ["lease", ...name];

/**
 * Takes the lease named `key` for `owner` unless another owner holds an unexpired one. Atomic:
 * two instances racing for it cannot both win. Re-acquiring one's own lease extends it. The
 * entry also carries `expireIn`, so KV forgets a crashed holder's lease by itself.
 */
export async function acquireLease(
  kv: Deno.Kv,
  key: Deno.KvKey,
  owner: string,
  ttlMs: number,
  now: number,
): Promise<Lease | null> {
  const entry = await kv.get<LeaseValue>(key);
  const held = entry.value;
  if (held && held.owner !== owner && held.expires_at > now) return null;
  const value: LeaseValue = {
    owner,
    expires_at: now + ttlMs,
    acquired_at: held?.owner === owner ? held.acquired_at : now,
  };
  const res = await kv.atomic().check(entry).set(key, value, { expireIn: ttlMs }).commit();
  return res.ok ? { key, owner, expiresAt: value.expires_at } : null;
}

/** Extends a lease still held by its owner; null when it was lost (expired and taken). */
export async function renewLease(
  kv: Deno.Kv,
  lease: Lease,
  ttlMs: number,
  now: number,
): Promise<Lease | null> {
  const entry = await kv.get<LeaseValue>(lease.key);
  if (entry.value?.owner !== lease.owner) return null;
  const value = { ...entry.value, expires_at: now + ttlMs };
  const res = await kv.atomic().check(entry).set(lease.key, value, { expireIn: ttlMs }).commit();
  return res.ok ? { ...lease, expiresAt: value.expires_at } : null;
}

/** Gives the lease back if still ours; never deletes a lease another owner took since. */
export async function releaseLease(kv: Deno.Kv, lease: Lease): Promise<boolean> {
  const entry = await kv.get<LeaseValue>(lease.key);
  if (entry.value?.owner !== lease.owner) return false;
  return (await kv.atomic().check(entry).delete(lease.key).commit()).ok;
}

/** Who holds the lease now (for the scanner health page), or null. */
export async function leaseHolder(
  kv: Deno.Kv,
  key: Deno.KvKey,
  now: number,
): Promise<{ owner: string; expiresAt: number; acquiredAt: number } | null> {
  const v = (await kv.get<LeaseValue>(key)).value;
  if (!v || v.expires_at <= now) return null;
  return { owner: v.owner, expiresAt: v.expires_at, acquiredAt: v.acquired_at };
}
