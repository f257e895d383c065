// Records events and decides, per rule, what is sent: down after N misses, flap damping, silences.
// Runs inside the caller's transaction, so an event and its queued deliveries commit together
// with the history that produced them (nothing lost between the two).
import type { Queryable } from "@/services/store/mod.ts";
import { type AlertEvent, type EventKind, misses as missText } from "./event_shape.ts";
import {
  buildEvent,
  insertEvents,
  loadSubjects,
  loadSubnet,
  type NewEvent,
  type Subject,
} from "./event_repo.ts";
import { enqueue, type NewDelivery } from "./delivery_repo.ts";
import { type MatchSubject, ruleSelects, silencedBy } from "./rule_match.ts";
import { type ActiveRule, activeRules } from "./rules_repo.ts";
import { type ActiveSilence, activeSilences } from "./silences_repo.ts";

export interface RecorderSettings {
  /** Prefix of links in payloads (ALERT_PUBLIC_URL), "" for site-relative links. */
  baseUrl: string;
  maxAttempts: number;
  now: () => number;
}

/** A host event as discovery stores it in host_event (same kinds, same detail). */
export interface HostEventInput {
  hostId: number;
  kind: string;
  detail: Record<string, unknown>;
}

/** One verdict of a sweep for one inventoried host. */
export interface HostObservation {
  hostId: number;
  isUp: boolean;
}

/** What one call recorded: the events (with ids) and how many deliveries were queued. */
export interface Recorded {
  events: AlertEvent[];
  queued: number;
}

const FROM_DISCOVERY: Record<string, EventKind> = {
  down: "host_down",
  up: "host_up",
  discovered: "host_new",
  port_opened: "port_opened",
  port_closed: "port_closed",
  service_changed: "service_changed",
};
/** Misses stop being counted here (no rule waits longer: down_after ≤ 100). */
const MISS_CAP = 1000;

export type Outcome = "sent" | "flapping" | "muted" | "maintenance" | "quiet";

interface Candidate {
  event: AlertEvent;
  subject: MatchSubject;
  /** host_down: misses so far; rules fire when it equals their down_after. */
  misses?: number;
  /** host_up: the down event of the outage that just ended. */
  downEventId?: number | null;
}

const toMatch = (e: AlertEvent, s: Subject): MatchSubject => ({
  kind: e.kind as EventKind,
  host: s.host,
  subnet: s.subnet,
  server_id: e.server?.id ?? null,
});

/**
 * The first successful sweep of a subnet is its baseline (as a host's first port scan is): the
 * hosts it finds are not "new devices", or adding a /16 would announce 65,000 of them.
 */
async function withoutBaseline(
  tx: Queryable,
  events: HostEventInput[],
): Promise<HostEventInput[]> {
  const subnets = [
    ...new Set(
      events.filter((e) => e.kind === "discovered").map((e) => Number(e.detail.subnet_id)),
    ),
  ].filter(Number.isSafeInteger);
  if (subnets.length === 0) return events;
  const swept = new Set(
    (await tx.query<{ subnet_id: number }>(
      `select distinct subnet_id from scan_run
       where subnet_id = any($1::bigint[]) and kind = 'subnet' and status = 'succeeded'`,
      [subnets],
    )).map((r) => Number(r.subnet_id)),
  );
  const baseline = (e: HostEventInput) => {
    const id = Number(e.detail.subnet_id);
    return e.kind === "discovered" && Number.isSafeInteger(id) && !swept.has(id);
  };
  return events.filter((e) => !baseline(e));
}

export class AlertRecorder {
  constructor(private readonly settings: RecorderSettings) {}

  /**
   * Discovery's hook: the events a sweep or port scan just wrote to host_event and, for sweeps,
   * every verdict (to count consecutive misses of hosts that are down).
   */
  async hostEvents(
    tx: Queryable,
    tsMs: number,
    input: readonly HostEventInput[],
    observations: readonly HostObservation[] = [],
  ): Promise<Recorded> {
    const mapped = await withoutBaseline(tx, input.filter((e) => FROM_DISCOVERY[e.kind]));
    const downIds = new Set(mapped.filter((e) => e.kind === "down").map((e) => e.hostId));
    const upIds = mapped.filter((e) => e.kind === "up").map((e) => e.hostId);
    const stillDown = observations.filter((o) => !o.isUp && !downIds.has(o.hostId))
      .map((o) => o.hostId);
    if (mapped.length === 0 && stillDown.length === 0) return { events: [], queued: 0 };

    // An outage that ended: how many misses it reached and which down event opened it.
    const ended = new Map<number, { downEventId: number; misses: number }>();
    if (upIds.length > 0) {
      const rows = await tx.query(
        `delete from alert_host_watch where host_id = any($1::bigint[])
         returning host_id, down_event_id, misses`,
        [upIds],
      );
      for (const r of rows) {
        ended.set(Number(r.host_id), {
          downEventId: Number(r.down_event_id),
          misses: Number(r.misses),
        });
      }
    }
    // Hosts still down count one more miss; a rule whose down_after is reached now fires.
    const crossed = stillDown.length === 0 ? [] : await tx.query(
      `update alert_host_watch w set misses = w.misses + 1 from alert_event e
       where w.host_id = any($1::bigint[]) and w.misses < ${MISS_CAP} and e.id = w.down_event_id
       returning w.host_id, w.misses, e.id as event_id, e.payload`,
      [stillDown],
    );

    const subjects = await loadSubjects(tx, mapped.map((e) => e.hostId));
    const events: AlertEvent[] = [];
    const subjectOf: Subject[] = [];
    for (const e of mapped) {
      const subject = subjects.get(e.hostId);
      if (!subject) continue;
      const kind = FROM_DISCOVERY[e.kind];
      const detail = { ...e.detail };
      if (kind === "host_down") detail.misses = 1;
      if (kind === "host_up") {
        detail.down_for_s = e.detail.after_s ?? null;
        detail.misses = ended.get(e.hostId)?.misses ?? null;
        delete detail.after_s;
      }
      events.push(
        buildEvent({ kind, ts: tsMs, hostId: e.hostId, detail }, subject, this.settings.baseUrl),
      );
      subjectOf.push(subject);
    }
    const stored = await insertEvents(tx, events);
    const downs = stored.filter((e) => e.kind === "host_down");
    if (downs.length > 0) {
      await tx.query(
        `insert into alert_host_watch (host_id, down_event_id, misses)
         select * from unnest($1::bigint[], $2::bigint[], $3::int[])
         on conflict (host_id) do update set down_event_id = excluded.down_event_id, misses = 1`,
        [downs.map((e) => e.host!.id), downs.map((e) => e.id!), downs.map(() => 1)],
      );
    }

    const candidates: Candidate[] = stored.map((event, i) => ({
      event,
      subject: toMatch(event, subjectOf[i]),
      misses: event.kind === "host_down" ? 1 : undefined,
      downEventId: event.kind === "host_up"
        ? ended.get(event.host!.id)?.downEventId ?? null
        : undefined,
    }));
    if (crossed.length > 0) {
      const now = await loadSubjects(tx, crossed.map((r) => Number(r.host_id)));
      for (const r of crossed) {
        const subject = now.get(Number(r.host_id));
        if (!subject) continue;
        const payload = r.payload as AlertEvent;
        const misses = Number(r.misses);
        const event: AlertEvent = {
          ...payload,
          id: Number(r.event_id),
          detail: { ...payload.detail, misses },
          summary: payload.summary.replace(/\(\d+ missed checks?\)$/, `(${missText(misses)})`),
        };
        candidates.push({ event, subject: toMatch(event, subject), misses });
      }
    }
    const queued = await this.decide(tx, candidates);
    return { events: stored, queued };
  }

  /**
   * Events from other domains and timers (indicator_status, scan_failing, exporter_silent…):
   * recorded and matched against rules in the caller's transaction.
   */
  async events(tx: Queryable, input: readonly NewEvent[]): Promise<Recorded> {
    if (input.length === 0) return { events: [], queued: 0 };
    const subjects = await loadSubjects(
      tx,
      input.flatMap((e) => (e.hostId === null ? [] : [e.hostId])),
    );
    const built: AlertEvent[] = [];
    const subjectOf: Subject[] = [];
    for (const e of input) {
      let subject: Subject = subjects.get(e.hostId ?? -1) ??
        { host: null, subnet: null, server: null, organization: null };
      if (!subject.host && e.subnetId != null) {
        subject = { ...subject, subnet: await loadSubnet(tx, e.subnetId) };
      }
      built.push(buildEvent(e, subject, this.settings.baseUrl));
      subjectOf.push(subject);
    }
    const stored = await insertEvents(tx, built);
    const queued = await this.decide(
      tx,
      stored.map((event, i) => ({ event, subject: toMatch(event, subjectOf[i]) })),
    );
    return { events: stored, queued };
  }

  /** Applies every rule to every candidate; returns the number of deliveries queued. */
  private async decide(tx: Queryable, candidates: readonly Candidate[]): Promise<number> {
    if (candidates.length === 0) return 0;
    const kinds = [...new Set(candidates.map((c) => c.event.kind))];
    const rules = await activeRules(tx, kinds);
    if (rules.length === 0) return 0;
    const now = this.settings.now();
    const silences = await activeSilences(tx, now);
    const deliveries: NewDelivery[] = [];
    const matches: Array<[number, number, number | null, string, Outcome]> = [];
    for (const c of candidates) {
      for (const rule of rules) {
        if (!ruleSelects(rule, c.subject)) continue;
        const outcome = await this.outcome(tx, rule, c, silences, now);
        if (outcome === null) continue;
        matches.push([c.event.id!, rule.id, c.event.host?.id ?? null, c.event.kind, outcome]);
        if (outcome !== "sent") continue;
        for (const targetId of rule.target_ids) {
          deliveries.push({ eventId: c.event.id, targetId, ruleId: rule.id, payload: c.event });
        }
      }
    }
    if (matches.length > 0) {
      await tx.query(
        `insert into alert_match (event_id, rule_id, host_id, kind, outcome, ts)
         select t.*, $6::timestamptz from unnest($1::bigint[], $2::bigint[], $3::bigint[],
           $4::text[], $5::text[]) as t(event_id, rule_id, host_id, kind, outcome)
         on conflict (event_id, rule_id) do nothing`,
        [
          matches.map((m) => m[0]),
          matches.map((m) => m[1]),
          matches.map((m) => m[2]),
          matches.map((m) => m[3]),
          matches.map((m) => m[4]),
          new Date(now),
        ],
      );
    }
    return (await enqueue(tx, deliveries, this.settings.maxAttempts, now)).length;
  }

  /** null: this rule does not consider the event (yet); else what it decided. */
  private async outcome(
    tx: Queryable,
    rule: ActiveRule,
    c: Candidate,
    silences: readonly ActiveSilence[],
    now: number,
  ): Promise<Outcome | null> {
    const kind = c.event.kind;
    if (kind === "host_down" && c.misses !== rule.down_after) return null;
    if (kind === "host_up") {
      // An "up" is news only to a rule that told of the matching "down".
      if (!c.downEventId) return null;
      const rows = await tx.query(
        `select outcome from alert_match where event_id = $1 and rule_id = $2`,
        [c.downEventId, rule.id],
      );
      if (rows[0]?.outcome !== "sent") return null;
    }
    const silence = silencedBy(silences, c.subject, now);
    if (silence) return silence.kind === "mute" ? "muted" : silence.kind;
    if (kind === "host_down" && rule.flap_window_s > 0 && c.event.host) {
      const rows = await tx.query(
        `select 1 from alert_match where rule_id = $1 and host_id = $2 and kind = 'host_down'
           and outcome = 'sent' and ts > $3 limit 1`,
        [rule.id, c.event.host.id, new Date(now - rule.flap_window_s * 1000)],
      );
      if (rows.length > 0) return "flapping";
    }
    return "sent";
  }
}
