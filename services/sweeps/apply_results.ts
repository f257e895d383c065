// Turns one sweep's verdicts into state: KV transitions, discovered hosts, SQL history, live events.
import type { Db, Queryable, StateStore } from "@/services/store/mod.ts";
import { insertEvents, insertStatuses, type NewEvent, type StatusRow } from "./history_repo.ts";
import {
  insertDiscoveredHosts,
  type KnownHost,
  lockIpamTree,
  markSeen,
} from "@/services/ipam/mod.ts";
import { batchChanges, type HostChange, type LiveHub } from "@/services/jobs/mod.ts";
import { type Observation, type Transition, writeObservations } from "./state_store.ts";
import type { SweepHostResult } from "./sweeper.ts";
import type { AlertSink } from "@/services/alerts/mod.ts";

export interface ApplyDeps {
  db: Db;
  kv: StateStore;
  live?: LiveHub | null;
  alerts?: AlertSink | null;
}

export interface ApplyInput {
  results: readonly SweepHostResult[];
  /** When the verdicts were made (ms epoch): one timestamp for the whole sweep. */
  ts: number;
  /** Inventoried hosts among the swept addresses, by canonical address. */
  known: ReadonlyMap<string, KnownHost>;
  /** Alive unknown addresses become discovered hosts only in subnet sweeps. */
  discover: boolean;
  /**
   * Given: everything (discovered hosts, history) is written in ONE transaction that starts with
   * this; throwing rolls it all back. Ingest of results from NATS claims the chunk's id here, so a
   * redelivered chunk never writes twice, and a half-written chunk never stays.
   */
  claim?: (tx: Queryable) => Promise<void>;
  /** Store unchanged host states at most every UNCHANGED_REWRITE_MS (ingest on NATS KV). */
  coalesceUnchanged?: boolean;
  /** Runs last inside that transaction, with what was applied (ingest records its run there). */
  settle?: (tx: Queryable, outcome: ApplyOutcome) => Promise<void>;
}

export interface ApplyOutcome {
  up: number;
  down: number;
  /** Hosts created because they answered and were not inventoried. */
  discovered: KnownHost[];
  /** up→down and down→up flips. */
  flips: Transition[];
  /** Every inventoried host among these results (known before or just discovered). */
  hosts: Map<string, KnownHost>;
  transitions: Transition[];
}

/**
 * Order matters: discovered hosts are created first (they need ids), then KV state is written with
 * version checks (KV decides what is a flip, so concurrent writers report each flip once), then the
 * history is appended in one transaction (status rows, events, last seen), then browsers are told.
 * With a `claim` (ingest) the host inserts and the history share one transaction, the KV writes
 * happen inside it, and a duplicate claim stops before anything is written.
 * Addresses that are neither inventoried nor alive leave no trace anywhere.
 */
export async function applyResults(deps: ApplyDeps, input: ApplyInput): Promise<ApplyOutcome> {
  const { claim } = input;
  if (!claim) return await applyIn(deps, input, (fn) => deps.db.tx(fn));
  const outcome = await deps.db.tx(async (tx) => {
    await claim(tx);
    return await applyIn(deps, input, (fn) => fn(tx), true);
  });
  publishChanges(deps, outcome);
  return outcome;
}

type InTx = <T>(fn: (tx: Queryable) => Promise<T>) => Promise<T>;

async function applyIn(
  deps: ApplyDeps,
  input: ApplyInput,
  inTx: InTx,
  deferLive = false,
): Promise<ApplyOutcome> {
  const when = new Date(input.ts);
  // Only the hosts of these results: a sweep applies its answers in many batches, and copying
  // every known host of a /20 per batch would cost more than the batch itself.
  const hosts = new Map<string, KnownHost>();
  for (const r of input.results) {
    const h = input.known.get(r.ip);
    if (h) hosts.set(r.ip, h);
  }
  const methods = new Map(input.results.map((r) => [r.ip, r.method]));

  const newcomers = input.discover
    ? input.results.filter((r) => r.up && !hosts.has(r.ip)).map((r) => r.ip)
    : [];
  // The IPAM tree lock keeps subnet assignment right while subnets change concurrently. Most
  // sweeps find no one new: no transaction then (a sweep stores its answers in several batches).
  const inserted = newcomers.length === 0
    ? { created: [] as KnownHost[], existing: [] as KnownHost[] }
    : await inTx(async (tx) => {
      await lockIpamTree(tx);
      return await insertDiscoveredHosts(tx, newcomers, when);
    });
  for (const h of [...inserted.created, ...inserted.existing]) hosts.set(h.ip, h);

  const observations: Observation[] = [];
  for (const r of input.results) {
    if (!hosts.has(r.ip)) continue;
    observations.push({ ip: r.ip, up: r.up, latencyMs: r.latencyMs, method: r.method });
  }
  const transitions = await writeObservations(deps.kv, observations, input.ts, {
    coalesceUnchanged: input.coalesceUnchanged,
  });
  const flips = transitions.filter((t) => t.flipped);

  const statuses: StatusRow[] = observations.map((o) => ({
    hostId: hosts.get(o.ip)!.id,
    isUp: o.up,
    latencyMs: o.up ? o.latencyMs : null,
    method: o.method,
  }));
  const events: NewEvent[] = inserted.created.map((h) => ({
    hostId: h.id,
    kind: "discovered" as const,
    detail: { subnet_id: h.subnet_id, method: methods.get(h.ip) ?? null },
  }));
  for (const f of flips) {
    events.push({
      hostId: hosts.get(f.ip)!.id,
      kind: f.next.up ? "up" : "down",
      detail: {
        method: f.next.method,
        latency_ms: f.next.latency_ms,
        // How long the previous state lasted, in seconds.
        after_s: Math.round((input.ts - f.prev!.since) / 1000),
      },
    });
  }
  const created = new Set(inserted.created.map((h) => h.id));
  const seen = statuses.filter((s) => s.isUp && !created.has(s.hostId)).map((s) => s.hostId);
  const up = observations.filter((o) => o.up).length;
  const outcome: ApplyOutcome = {
    up,
    down: observations.length - up,
    discovered: inserted.created,
    flips,
    hosts,
    transitions,
  };
  await inTx(async (tx) => {
    await insertStatuses(tx, when, statuses);
    await insertEvents(tx, when, events);
    await markSeen(tx, seen, when);
    await deps.alerts?.hostEvents(tx, input.ts, events, statuses);
    await input.settle?.(tx, outcome);
  });
  // In one transaction, browsers hear of it only once it is committed.
  if (!deferLive) publishChanges(deps, outcome);
  return outcome;
}

function publishChanges(deps: ApplyDeps, { transitions, hosts }: ApplyOutcome): void {
  if (deps.live && transitions.length > 0) {
    const changes: HostChange[] = transitions.map((t) => {
      const h = hosts.get(t.ip)!;
      return {
        ip: t.ip,
        host_id: h.id,
        subnet_id: h.subnet_id,
        up: t.next.up,
        prev_up: t.prev?.up ?? null,
        latency_ms: t.next.latency_ms,
        since: t.next.since,
        last_seen: t.next.last_seen,
        method: t.next.method,
        checked_at: t.next.checked_at,
      };
    });
    for (const batch of batchChanges(changes)) deps.live.publish({ type: "hosts", changes: batch });
  }
}
