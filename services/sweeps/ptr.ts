// Reverse DNS (PTR) names for hosts, cached in KV with a TTL; the resolver is injected.
import type { StateKey, StateStore } from "@/services/store/mod.ts";
import {
  cidrContains,
  ipToBytes,
  parseCidr,
  parseIpLenient,
  unmapIpv4,
} from "@/services/ipam/mod.ts";
import { createProbeBudget } from "@/services/jobs/mod.ts";

/** Returns the PTR names of a reverse name ("10.100.51.198.in-addr.arpa."); [] when none. */
export type PtrResolver = (reverseName: string, signal: AbortSignal) => Promise<string[]>;

export interface PtrLookupOptions {
  kv: StateStore;
  resolve: PtrResolver;
  now?: () => number;
  /** How long a found name is trusted (default 6 h). */
  ttlMs?: number;
  /** How long "no name" is trusted (default 1 h), so missing records are not asked every sweep. */
  negativeTtlMs?: number;
  /** Per-lookup deadline (default 2 s), enforced even when the resolver ignores its signal. */
  timeoutMs?: number;
  /** Lookups in flight at once across every caller of this instance (default 8). */
  maxInFlight?: number;
}

export interface PtrLookup {
  /** The host name for `ip` (no trailing dot, lower case), or null; cached per TTL. */
  lookup(ip: string): Promise<string | null>;
  /**
   * Names for many addresses: cached answers for all, fresh queries for at most `maxQueries` of
   * the uncached ones (`concurrency` at a time), so a /16 of new hosts is named over several
   * sweeps instead of stalling one. Addresses without an answer yet are absent from the map.
   */
  lookupMany(
    ips: readonly string[],
    opts?: { maxQueries?: number; concurrency?: number },
  ): Promise<{ names: Map<string, string | null>; pending: number }>;
}

interface CacheEntry {
  name: string | null;
  at: number;
  until: number;
}

const DEFAULTS = {
  ttlMs: 6 * 3_600_000,
  negativeTtlMs: 3_600_000,
  timeoutMs: 2_000,
  maxInFlight: 8,
};

export const ptrKey = (ip: string): StateKey => ["ptr", ip];

/**
 * Addresses that have no public reverse zone and whose lookups would only load the resolver:
 * loopback, link-local, unspecified, multicast, and the documentation ranges (RFC 5737, RFC 3849),
 * for which resolvers are told to answer locally anyway (RFC 6303).
 */
export function ptrEligible(ip: string): boolean {
  const parsed = parseIpLenient(ip, { anyIpv4Form: true });
  if (!parsed) return false;
  const addr = unmapIpv4(parsed);
  return !NO_PTR[addr.family].some((cidr) => cidrContains(cidr, addr));
}

/** Loopback, link-local, unspecified, multicast, broadcast, then the documentation ranges. */
const NO_PTR = {
  4: [
    "127.0.0.0/8",
    "169.254.0.0/16",
    "0.0.0.0/8",
    "224.0.0.0/4",
    "255.255.255.255/32",
    "192.0.2.0/24", // host-network guard: this machine's own network is never looked up
    "198.51.100.0/24",
    "203.0.113.0/24",
  ].map((c) => parseCidr(c)),
  6: ["::1/128", "fe80::/10", "::/128", "ff00::/8", "2001:db8::/32"].map((c) => parseCidr(c)),
};

/** The in-addr.arpa / ip6.arpa name PTR records live under. @throws TypeError on a non-address */
export function reverseName(ip: string): string {
  const addr = parseIpLenient(ip, { anyIpv4Form: true });
  if (!addr) throw new TypeError(`not an IP address: ${JSON.stringify(ip)}`);
  const bytes = ipToBytes(addr);
  if (addr.family === 4) return `${bytes.reverse().join(".")}.in-addr.arpa.`;
  const hex = bytes.map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${[...hex].reverse().join(".")}.ip6.arpa.`;
}

/** RFC 1035 limits: a name of at most 253 characters (without the root dot), labels of 1..63. */
export const MAX_NAME_LENGTH = 253;
export const MAX_LABEL_LENGTH = 63;
/** Only this many names of one answer are looked at; a resolver may send thousands. */
export const MAX_NAMES_PER_ANSWER = 16;

/**
 * A DNS name as Pingfold shows it, or null when it is not a plausible host name. Every answer
 * from DNS is untrusted: the check is one pass over at most 255 characters (no regular
 * expression that could backtrack), labels are 1..63 of `a-z 0-9 _ -`, not starting or ending
 * with a hyphen, and the name is at most 253 characters.
 */
export function cleanName(name: string): string | null {
  if (typeof name !== "string" || name.length > MAX_NAME_LENGTH + 2) return null;
  let n = name.trim().toLowerCase();
  if (n.endsWith(".")) n = n.slice(0, -1);
  if (n.length === 0 || n.length > MAX_NAME_LENGTH) return null;
  let labelStart = 0;
  for (let i = 0; i <= n.length; i++) {
    const c = i < n.length ? n.charCodeAt(i) : 46; // the end closes the last label like a dot
    if (c === 46) {
      const len = i - labelStart;
      if (len === 0 || len > MAX_LABEL_LENGTH) return null;
      if (n.charCodeAt(labelStart) === 45 || n.charCodeAt(i - 1) === 45) return null;
      labelStart = i + 1;
    } else if (!isLabelChar(c)) {
      return null;
    }
  }
  return n;
}

function isLabelChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 95;
}

export function createPtrLookup(opts: PtrLookupOptions): PtrLookup {
  const o = { ...DEFAULTS, ...opts };
  const now = opts.now ?? Date.now;
  const fresh = (e: CacheEntry | null, t: number): e is CacheEntry => e !== null && e.until > t;
  const inFlight = createProbeBudget(o.maxInFlight);
  const query = async (ip: string, cached: CacheEntry | null): Promise<string | null> => {
    const t = now();
    let name: string | null = null;
    let failed = false;
    try {
      const slot = await inFlight.acquire(1);
      try {
        name = firstCleanName(await resolveBounded(o.resolve, reverseName(ip), o.timeoutMs));
      } finally {
        slot.release();
      }
    } catch (err) {
      // NXDOMAIN/NotFound means "no name"; timeouts and server failures keep the old answer.
      failed = !(err instanceof Deno.errors.NotFound);
    }
    if (failed) return cached?.name ?? null;
    const ttl = name ? o.ttlMs : o.negativeTtlMs;
    await o.kv.set(ptrKey(ip), { name, at: t, until: t + ttl } satisfies CacheEntry, {
      expireIn: ttl,
    });
    return name;
  };
  return {
    async lookup(ip) {
      if (!ptrEligible(ip)) return null;
      const cached = (await o.kv.get<CacheEntry>(ptrKey(ip))).value;
      return fresh(cached, now()) ? cached.name : await query(ip, cached);
    },
    async lookupMany(ips, opts = {}) {
      const names = new Map<string, string | null>();
      const misses: Array<{ ip: string; cached: CacheEntry | null }> = [];
      const eligible = ips.filter(ptrEligible);
      const t = now();
      for (let i = 0; i < eligible.length; i += 10) {
        const chunk = eligible.slice(i, i + 10);
        const entries = await o.kv.getMany<CacheEntry>(chunk.map(ptrKey));
        for (const [j, e] of entries.entries()) {
          if (fresh(e.value, t)) names.set(chunk[j], e.value.name);
          else misses.push({ ip: chunk[j], cached: e.value });
        }
      }
      const todo = misses.slice(0, opts.maxQueries ?? misses.length);
      let next = 0;
      const lane = async () => {
        while (next < todo.length) {
          const m = todo[next++];
          names.set(m.ip, await query(m.ip, m.cached));
        }
      };
      const lanes = Math.max(1, Math.min(opts.concurrency ?? 8, todo.length));
      await Promise.all(Array.from({ length: todo.length ? lanes : 0 }, lane));
      return { names, pending: misses.length - todo.length };
    },
  };
}

/** The first usable name of an answer, looking at no more than MAX_NAMES_PER_ANSWER of them. */
function firstCleanName(names: unknown): string | null {
  if (!Array.isArray(names)) return null;
  for (const n of names.slice(0, MAX_NAMES_PER_ANSWER)) {
    const clean = typeof n === "string" ? cleanName(n) : null;
    if (clean !== null) return clean;
  }
  return null;
}

/** Asks the resolver with a deadline that holds even if it never looks at the signal. */
function resolveBounded(resolve: PtrResolver, name: string, timeoutMs: number): Promise<string[]> {
  const ctl = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new Error(`reverse lookup of ${name} timed out after ${timeoutMs} ms`);
      ctl.abort(err);
      reject(err);
    }, timeoutMs);
  });
  return Promise.race([resolve(name, ctl.signal), deadline]).finally(() => clearTimeout(timer));
}

/** The real resolver: the system's configured name servers through Deno.resolveDns. */
export const systemPtrResolver: PtrResolver = (name, signal) =>
  Deno.resolveDns(name, "PTR", { signal });
