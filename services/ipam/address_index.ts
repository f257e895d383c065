// Every inventoried address, sorted as PostgreSQL sorts inet, kept per database handle while the
// set of addresses is unchanged (host_set_version, migration 0190: bumped by a trigger whichever
// process adds, deletes or readdresses a host). At 100,000+ hosts the dashboard's counts per
// subnet and a big subnet's fold were the cost of every request; now they read this and the live
// state in memory, and each request only checks the version (one tiny query).
import type { Queryable } from "@/services/store/mod.ts";
import { addressValuesIn } from "./host_repo.ts";

export interface AddressIndex {
  /** The host-set version it was read at. */
  version: string;
  /** Canonical address text, IPv4 first, each family in address order. */
  ips: string[];
  values: bigint[];
  families: Uint8Array;
}

/** The current version of the set of inventoried addresses. */
export async function hostSetVersion(db: Queryable): Promise<string> {
  const [row] = await db.query<{ version: string }>(
    `select version::text as version from host_set_version where id = 1`,
  );
  return row?.version ?? "";
}

const indexes = new WeakMap<object, Promise<AddressIndex>>();

/** The index at the current version (read anew only after a change; concurrent callers share). */
export async function addressIndex(db: Queryable): Promise<AddressIndex> {
  const version = await hostSetVersion(db);
  const kept = indexes.get(db);
  if (kept) {
    const index = await kept.catch(() => null);
    if (index && index.version === version) return index;
    // Another caller may have started the read at a newer version meanwhile.
    const again = indexes.get(db);
    if (again && again !== kept) {
      const newer = await again.catch(() => null);
      if (newer && newer.version === version) return newer;
    }
  }
  const read = (async (): Promise<AddressIndex> => {
    const [v4, v6] = await Promise.all([
      addressValuesIn(db, "0.0.0.0/0"),
      addressValuesIn(db, "::/0"),
    ]);
    const all = [...v4, ...v6];
    const families = new Uint8Array(all.length);
    families.fill(6, v4.length);
    families.fill(4, 0, v4.length);
    return { version, ips: all.map((a) => a.ip), values: all.map((a) => a.value), families };
  })();
  indexes.set(db, read);
  read.catch(() => indexes.get(db) === read && indexes.delete(db));
  return await read;
}

/** The half-open range [from, to) of the index's positions inside [first, last] of `family`. */
export function indexRange(
  index: AddressIndex,
  family: 4 | 6,
  first: bigint,
  last: bigint,
): [number, number] {
  const below = (f: number, v: bigint) => {
    // First position whose (family, value) is >= (f, v).
    let lo = 0, hi = index.ips.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const mf = index.families[mid];
      if (mf < f || (mf === f && index.values[mid] < v)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return [below(family, first), below(family, last + 1n)];
}
