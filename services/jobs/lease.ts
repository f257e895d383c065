// Leases in the state store: at most one holder per job (one sweep per subnet, one active
// scheduler) across instances. Compare-and-set on both engines; the TTL makes a crashed holder's
// lease lapse by itself.
import type { StateKey, StateStore } from "@/services/store/mod.ts";

export interface Lease {
  key: StateKey;
  owner: string;
  /** Ms epoch after which another owner may take it, even if never released (crash). */
  expiresAt: number;
}

interface LeaseValue {
  owner: string;
  expires_at: number;
  acquired_at: number;
}

export const leaseKey = (...name: Array<string | number>): StateKey => ["lease", ...name];

/**
 * Takes the lease named `key` for `owner` unless another owner holds an unexpired one. Atomic:
 * two instances racing for it cannot both win. Re-acquiring one's own lease extends it. The
 * entry also carries `expireIn`, so the store forgets a crashed holder's lease by itself.
 */
export async function acquireLease(
  kv: StateStore,
  key: StateKey,
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
  const res = await kv.compareAndSet(key, entry.versionstamp, value, { expireIn: ttlMs });
  return res.ok ? { key, owner, expiresAt: value.expires_at } : null;
}

/** Extends a lease still held by its owner; null when it was lost (expired and taken). */
export async function renewLease(
  kv: StateStore,
  lease: Lease,
  ttlMs: number,
  now: number,
): Promise<Lease | null> {
  const entry = await kv.get<LeaseValue>(lease.key);
  if (entry.value?.owner !== lease.owner) return null;
  const value = { ...entry.value, expires_at: now + ttlMs };
  const res = await kv.compareAndSet(lease.key, entry.versionstamp, value, { expireIn: ttlMs });
  return res.ok ? { ...lease, expiresAt: value.expires_at } : null;
}

/** Gives the lease back if still ours; never deletes a lease another owner took since. */
export async function releaseLease(kv: StateStore, lease: Lease): Promise<boolean> {
  const entry = await kv.get<LeaseValue>(lease.key);
  if (entry.value?.owner !== lease.owner || !entry.versionstamp) return false;
  return await kv.compareAndDelete(lease.key, entry.versionstamp);
}

/** Who holds the lease now (for the scanner health page), or null. */
export async function leaseHolder(
  kv: StateStore,
  key: StateKey,
  now: number,
): Promise<{ owner: string; expiresAt: number; acquiredAt: number } | null> {
  const v = (await kv.get<LeaseValue>(key)).value;
  if (!v || v.expires_at <= now) return null;
  return { owner: v.owner, expiresAt: v.expires_at, acquiredAt: v.acquired_at };
}
