// IPAM's subnets and hosts as discovery sees them: what to sweep, and the host writes a sweep
// makes (discovered hosts, last seen, MAC/vendor, reverse DNS). The only writer of `host` besides
// the IPAM forms, API and imports.
import type { Queryable } from "@/services/store/mod.ts";
import { normalizeIp } from "./cidr.ts";

/** A host as discovery needs it: enough to plan, diff and enrich. */
export interface KnownHost {
  id: number;
  ip: string;
  subnet_id: number | null;
  hostname: string | null;
  mac: string | null;
}

export interface SweepSubnet {
  id: number;
  cidr: string;
  name: string | null;
  scan_enabled: boolean;
  scan_interval_s: number;
  site: string;
}

const HOST_COLUMNS = "id, host(ip) as ip, subnet_id, hostname, mac";
const SUBNET_COLUMNS = "id, cidr::text as cidr, name, scan_enabled, scan_interval_s, site";

/** Postgres and the rest of Pingfold must spell an address the same way (KV keys, events). */
const canonical = (ip: string) => normalizeIp(ip)?.ip ?? ip;

function toHost(r: KnownHost): KnownHost {
  return { ...r, ip: canonical(r.ip) };
}

export async function getSweepSubnet(q: Queryable, id: number): Promise<SweepSubnet | null> {
  const rows = await q.query<SweepSubnet>(`select ${SUBNET_COLUMNS} from subnet where id = $1`, [
    id,
  ]);
  return rows[0] ?? null;
}

/** Subnets the scheduler sweeps, in id order. */
export async function listScanEnabledSubnets(q: Queryable): Promise<SweepSubnet[]> {
  return await q.query<SweepSubnet>(
    `select ${SUBNET_COLUMNS} from subnet where scan_enabled order by id`,
  );
}

/** Every subnet with its scan settings (scanner health page). */
export async function listSubnetsForScanner(q: Queryable): Promise<SweepSubnet[]> {
  return await q.query<SweepSubnet>(
    `select ${SUBNET_COLUMNS} from subnet order by scan_enabled desc, cidr`,
  );
}

/** Subnets strictly inside `cidr`, at any depth, whose scanning is off: a sweep skips them. */
export async function unscannedWithin(q: Queryable, cidr: string): Promise<string[]> {
  const rows = await q.query<{ cidr: string }>(
    `select cidr::text as cidr from subnet where cidr << $1::cidr and not scan_enabled
     order by cidr`,
    [cidr],
  );
  return rows.map((r) => r.cidr);
}

/** Hosts whose address lies inside `cidr` (not only those whose subnet_id points at it). */
export async function knownHostsIn(q: Queryable, cidr: string): Promise<KnownHost[]> {
  const rows = await q.query<KnownHost>(
    `select ${HOST_COLUMNS} from host where ip <<= $1::cidr order by host.ip`,
    [cidr],
  );
  return rows.map(toHost);
}

/** An inventoried host with the subnet that decides whether it is scanned (its most specific). */
export interface ScannedHost extends KnownHost {
  scan_subnet_id: number;
  scan_cidr: string;
  site: string;
}

/**
 * Hosts whose most specific subnet has scanning on: those a sweep would probe (a child subnet with
 * scanning off is a hole in its parent's sweep). What the known-host cycle pings.
 */
export async function hostsInScannedSubnets(q: Queryable): Promise<ScannedHost[]> {
  const rows = await q.query<ScannedHost>(
    `select h.id, host(h.ip) as ip, h.subnet_id, h.hostname, h.mac, s.id as scan_subnet_id,
       s.cidr::text as scan_cidr, s.site
     from host h join subnet s on s.id = subnet_of(h.ip)
     where s.scan_enabled order by h.ip`,
  );
  return rows.map((r) => ({ ...r, ip: canonical(r.ip) }));
}

/**
 * The inventoried hosts among `ips`: what one chunk of a big sweep needs, instead of every host of
 * its subnet (a /16 holds 65,000) once per chunk.
 */
export async function knownHostsAmong(q: Queryable, ips: readonly string[]): Promise<KnownHost[]> {
  if (ips.length === 0) return [];
  const rows = await q.query<KnownHost>(
    `select ${HOST_COLUMNS} from host where ip = any($1::inet[])`,
    [ips as string[]],
  );
  return rows.map(toHost);
}

export async function getKnownHost(q: Queryable, id: number): Promise<KnownHost | null> {
  const rows = await q.query<KnownHost>(`select ${HOST_COLUMNS} from host where id = $1`, [id]);
  return rows[0] ? toHost(rows[0]) : null;
}

/**
 * Addresses of every host inside `cidr` (child subnets included), or of every host at all: "alive
 * now" counts only inventoried hosts, never the KV state a deleted host left behind.
 */
export async function hostIpsIn(q: Queryable, cidr?: string): Promise<string[]> {
  const rows = cidr === undefined
    ? await q.query<{ ip: string }>(`select host(ip) as ip from host`)
    : await q.query<{ ip: string }>(`select host(ip) as ip from host where ip <<= $1::cidr`, [
      cidr,
    ]);
  return rows.map((r) => canonical(r.ip));
}

/**
 * Creates hosts for addresses found alive but not inventoried, each in the most specific subnet
 * containing it, marked discovered, first and last seen at `ts`. Addresses created meanwhile by
 * someone else are skipped (on conflict) and returned by a re-read, so the caller gets them all.
 */
export async function insertDiscoveredHosts(
  q: Queryable,
  ips: readonly string[],
  ts: Date,
): Promise<{ created: KnownHost[]; existing: KnownHost[] }> {
  if (ips.length === 0) return { created: [], existing: [] };
  const created = (await q.query<KnownHost>(
    `insert into host (ip, subnet_id, discovered, first_seen_at, last_seen_at)
     select t.ip,
            subnet_of(t.ip),
            true, $2, $2
     from unnest($1::inet[]) as t(ip)
     on conflict (ip) do nothing
     returning ${HOST_COLUMNS}`,
    [ips as string[], ts],
  )).map(toHost);
  if (created.length === ips.length) return { created, existing: [] };
  const made = new Set(created.map((h) => h.ip));
  const missing = ips.filter((ip) => !made.has(ip));
  const existing = (await q.query<KnownHost>(
    `select ${HOST_COLUMNS} from host where ip = any($1::inet[])`,
    [missing],
  )).map(toHost);
  return { created, existing };
}

/** Hosts that answered: last seen now, first seen now if never before. One statement. */
export async function markSeen(q: Queryable, hostIds: readonly number[], ts: Date): Promise<void> {
  if (hostIds.length === 0) return;
  await q.query(
    `update host set last_seen_at = $2, first_seen_at = coalesce(first_seen_at, $2)
     where id = any($1::bigint[])`,
    [hostIds as number[], ts],
  );
}

/** MAC and vendor learned from the neighbour table, for many hosts in one statement. */
export async function setMacVendor(
  q: Queryable,
  rows: ReadonlyArray<{ id: number; mac: string; vendor: string | null }>,
): Promise<void> {
  if (rows.length === 0) return;
  await q.query(
    `update host h set mac = u.mac, vendor = coalesce(u.vendor, h.vendor)
     from unnest($1::bigint[], $2::text[], $3::text[]) as u(id, mac, vendor)
     where h.id = u.id`,
    [rows.map((r) => r.id), rows.map((r) => r.mac), rows.map((r) => r.vendor)],
  );
}

/** Reverse-DNS names, for many hosts in one statement (the override stays the user's). */
export async function setHostnames(
  q: Queryable,
  rows: ReadonlyArray<{ id: number; hostname: string }>,
): Promise<void> {
  if (rows.length === 0) return;
  await q.query(
    `update host h set hostname = u.hostname, hostname_source = 'ptr'
     from unnest($1::bigint[], $2::text[]) as u(id, hostname)
     where h.id = u.id`,
    [rows.map((r) => r.id), rows.map((r) => r.hostname)],
  );
}
