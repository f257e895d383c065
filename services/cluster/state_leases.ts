// The scheduler's lease on the shared state store (NATS KV when scaled out): the jobs domain's
// compare-and-set lease under ["lease", "cluster", name], seen through the small interface the
// cluster scheduler needs.
import type { StateStore } from "@/services/store/mod.ts";
import {
  acquireLease,
  type Lease,
  leaseHolder,
  leaseKey,
  releaseLease,
  renewLease,
} from "@/services/jobs/mod.ts";

/** A lease this process holds. */
export interface HeldLease {
  name: string;
  owner: string;
  expiresAt: number;
  lease: Lease;
}

/** What a scheduler needs of leases (tests may pass one that grants everyone). */
export interface LeaseStore {
  /** Takes `name` unless another owner holds an unexpired lease; null when held elsewhere. */
  acquire(name: string, owner: string, now: number): Promise<HeldLease | null>;
  /** Extends a lease still ours; null when it was lost (expired and taken, or deleted). */
  renew(lease: HeldLease, now: number): Promise<HeldLease | null>;
  release(lease: HeldLease): Promise<void>;
  holder(name: string, now: number): Promise<{ owner: string; expiresAt: number } | null>;
  readonly ttlMs: number;
}

const keyOf = (name: string) => leaseKey("cluster", name);

export function stateStoreLeases(store: StateStore, ttlMs: number): LeaseStore {
  const held = (name: string, lease: Lease | null): HeldLease | null =>
    lease ? { name, owner: lease.owner, expiresAt: lease.expiresAt, lease } : null;
  return {
    ttlMs,
    async acquire(name, owner, now) {
      return held(name, await acquireLease(store, keyOf(name), owner, ttlMs, now));
    },
    async renew(h, now) {
      return held(h.name, await renewLease(store, h.lease, ttlMs, now));
    },
    async release(h) {
      await releaseLease(store, h.lease).catch(() => false);
    },
    async holder(name, now) {
      const v = await leaseHolder(store, keyOf(name), now);
      return v && { owner: v.owner, expiresAt: v.expiresAt };
    },
  };
}
