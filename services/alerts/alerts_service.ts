// The alerts domain wired for one process: recorder (events → rules → queued deliveries), the
// delivery worker, the condition timer, and what the API and pages call.
import type { Config } from "@/services/config/config.ts";
import { notFound } from "@/services/errors.ts";
import type { Db, Queryable } from "@/services/store/mod.ts";
import { checkConditions } from "./conditions.ts";
import { type Delivery, enqueue, getDelivery } from "./delivery_repo.ts";
import { DeliveryWorker } from "./delivery_worker.ts";
import type { AlertEvent } from "./event_shape.ts";
import { buildEvent, feedUrl, type NewEvent } from "./event_repo.ts";
import {
  AlertRecorder,
  type HostEventInput,
  type HostObservation,
  type Recorded,
} from "./recorder.ts";
import { type AddressPolicy, parseAllowList, type Resolver } from "./target_address.ts";
import { getTarget } from "./targets_repo.ts";

/** Settings of the domain, from config (ALERT_*). */
export interface AlertSettings {
  policy: AddressPolicy;
  baseUrl: string;
  timeoutMs: number;
  concurrency: number;
  perTarget: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  pollMs: number;
  smtpUrl: string | null;
  smtpFrom: string;
  scanFailingAfter: number;
  exporterSilentMinutes: number;
  checkIntervalMs: number;
}

export function alertSettings(cfg: Config): AlertSettings {
  return {
    policy: { allow: parseAllowList(cfg.ALERT_TARGET_ALLOW.join(",")) },
    baseUrl: cfg.ALERT_PUBLIC_URL.replace(/\/+$/, ""),
    timeoutMs: cfg.ALERT_DELIVERY_TIMEOUT_MS,
    concurrency: cfg.ALERT_DELIVERY_CONCURRENCY,
    perTarget: cfg.ALERT_TARGET_CONCURRENCY,
    maxAttempts: cfg.ALERT_MAX_ATTEMPTS,
    retryBaseMs: cfg.ALERT_RETRY_BASE_MS,
    retryMaxMs: cfg.ALERT_RETRY_MAX_MS,
    pollMs: cfg.ALERT_POLL_MS,
    smtpUrl: cfg.ALERT_SMTP_URL ?? null,
    smtpFrom: cfg.ALERT_SMTP_FROM,
    scanFailingAfter: cfg.ALERT_SCAN_FAILING_AFTER,
    exporterSilentMinutes: cfg.ALERT_EXPORTER_SILENT_MINUTES,
    checkIntervalMs: cfg.ALERT_CHECK_INTERVAL_SECONDS * 1000,
  };
}

export interface AlertsDeps {
  db: Db;
  now: () => number;
  settings: AlertSettings;
  userAgent: string;
  /** Live listeners (the SSE hub): told of each recorded event. */
  publish?: (event: AlertEvent) => void;
  log?: (level: "info" | "warn", msg: string, fields: Record<string, unknown>) => void;
  resolve?: Resolver;
}

/** What discovery calls (kept to one interface so its hook points stay one line each). */
export interface AlertSink {
  hostEvents(
    tx: Queryable,
    tsMs: number,
    events: readonly HostEventInput[],
    observations?: readonly HostObservation[],
  ): Promise<void>;
}

/** Indicator status as the inventory reports a change (warning, critical, back to ok…). */
export interface IndicatorChange {
  indicator_id: number;
  name: string;
  status: "ok" | "warning" | "critical" | "unknown";
  previous_status: string | null;
  host_id: number | null;
  server?: { id: number; name: string | null } | null;
  organization?: { id: number; name: string | null } | null;
  value?: number | string | null;
  unit?: string;
}

export class Alerts implements AlertSink {
  readonly recorder: AlertRecorder;
  readonly worker: DeliveryWorker;
  private conditionTimer: ReturnType<typeof setInterval> | null = null;
  private checking: Promise<unknown> | null = null;

  constructor(private readonly d: AlertsDeps) {
    const s = d.settings;
    this.recorder = new AlertRecorder({
      baseUrl: s.baseUrl,
      maxAttempts: s.maxAttempts,
      now: d.now,
    });
    this.worker = new DeliveryWorker({
      db: d.db,
      now: d.now,
      policy: s.policy,
      mail: { smtpUrl: s.smtpUrl, from: s.smtpFrom, timeoutMs: s.timeoutMs },
      concurrency: s.concurrency,
      perTarget: s.perTarget,
      timeoutMs: s.timeoutMs,
      leaseMs: 2 * s.timeoutMs + 5000,
      pollMs: s.pollMs,
      backoff: { baseMs: s.retryBaseMs, maxMs: s.retryMaxMs },
      userAgent: d.userAgent,
      resolve: d.resolve,
      log: d.log,
    });
  }

  get settings(): AlertSettings {
    return this.d.settings;
  }

  /** Discovery's hook, inside its history transaction. */
  async hostEvents(
    tx: Queryable,
    tsMs: number,
    events: readonly HostEventInput[],
    observations: readonly HostObservation[] = [],
  ): Promise<void> {
    this.after(await this.recorder.hostEvents(tx, tsMs, events, observations));
  }

  /** Events from other domains (inside their transaction when they pass one). */
  async record(q: Queryable, events: readonly NewEvent[]): Promise<AlertEvent[]> {
    const r = await this.recorder.events(q, events);
    this.after(r);
    return r.events;
  }

  /** The inventory's hook: an indicator changed status. */
  async indicatorStatus(q: Queryable, c: IndicatorChange): Promise<AlertEvent | null> {
    if (c.status === c.previous_status) return null;
    const [event] = await this.record(q, [{
      kind: "indicator_status",
      ts: this.d.now(),
      hostId: c.host_id,
      server: c.server ?? null,
      organization: c.organization ?? null,
      detail: {
        indicator_id: c.indicator_id,
        indicator: c.name,
        status: c.status,
        previous_status: c.previous_status,
        value: c.value ?? null,
        unit: c.unit ?? "",
      },
    }]);
    return event ?? null;
  }

  /** "Send test": queues one test delivery to the target and returns it. */
  async sendTest(targetId: number): Promise<Delivery> {
    const target = await getTarget(this.d.db, targetId);
    const now = this.d.now();
    const payload: AlertEvent = {
      ...buildEvent(
        {
          kind: "host_down",
          ts: now,
          hostId: null,
          detail: { target_id: target.id, target: target.name },
        },
        { host: null, subnet: null, server: null, organization: null },
        this.d.settings.baseUrl,
      ),
      kind: "test",
      summary: `test delivery from Pingfold to ${target.name}`,
      url: feedUrl(this.d.settings.baseUrl),
    };
    const [id] = await enqueue(
      this.d.db,
      [{ eventId: null, targetId, ruleId: null, payload }],
      this.d.settings.maxAttempts,
      now,
    );
    const delivery = await getDelivery(this.d.db, id);
    if (!delivery) throw notFound(`test delivery ${id}`);
    this.worker.wake();
    return delivery;
  }

  /** Checks failing sweeps and silent exporters now (the timer does it every interval). */
  async checkConditions(): Promise<number> {
    return await checkConditions(
      this.d.db,
      this.d.settings,
      this.d.now(),
      (tx, events) => this.record(tx, events),
    );
  }

  start(): void {
    this.worker.start();
    this.conditionTimer ??= setInterval(() => {
      if (this.checking) return;
      this.checking = this.checkConditions().catch((err) =>
        this.d.log?.("warn", "alert condition check failed", { error: String(err) })
      ).finally(() => (this.checking = null));
    }, this.d.settings.checkIntervalMs);
  }

  async stop(): Promise<void> {
    if (this.conditionTimer) clearInterval(this.conditionTimer);
    this.conditionTimer = null;
    await this.checking;
    await this.worker.stop();
  }

  private after(r: Recorded): void {
    for (const e of r.events) {
      try {
        this.d.publish?.(e);
      } catch { /* a live listener never blocks recording */ }
    }
    // The caller's transaction commits after this returns; the worker looks a moment later
    // (and polls anyway).
    if (r.queued > 0) setTimeout(() => this.worker.wake(), 10);
  }
}
