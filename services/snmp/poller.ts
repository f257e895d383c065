// Polls hosts' SNMP system names: after sweeps (alive hosts with settings, at most once per
// interval) and on demand, under one concurrency cap per process, never outside the scan scope.
import { AppError, notFound } from "@/services/errors.ts";
import type { Db } from "@/services/store/mod.ts";
import { getPoll, notPolledSince, type PollRecord, recordReading } from "./poll_repo.ts";
import { readSystem, type SnmpSessionFactory } from "./reader.ts";
import {
  anySnmpEnabled,
  credentialsOf,
  type EffectiveSettings,
  effectiveSettings,
} from "./settings_repo.ts";

export interface SnmpPollerOptions {
  db: Db;
  now: () => number;
  factory: SnmpSessionFactory;
  /** Per request (SNMP_TIMEOUT_MS) and extra tries (SNMP_RETRIES). */
  timeoutMs: number;
  retries: number;
  /** Reads in flight at once, across sweeps and API calls (SNMP_CONCURRENCY). */
  concurrency: number;
  /** A host is re-read after a sweep only when its last poll is older (SNMP_POLL_INTERVAL_MINUTES). */
  intervalMs: number;
  /** Hosts read per sweep at most; the rest follow in later sweeps. */
  maxPerSweep?: number;
  /** SNMP_ENABLED: when false nothing is ever sent and on-demand polls are refused. */
  enabled?: boolean;
  /**
   * The scan scope, read once per batch (so a change applies at once): addresses outside it are
   * never sent a packet. Everything is in scope when absent.
   */
  scope?: () => Promise<(ip: string) => boolean>;
}

export interface SweepPollSummary {
  polled: number;
  ok: number;
  failed: number;
  renamed: number;
  skipped_out_of_scope: number;
  deferred: number;
}

export interface HostPollResult {
  poll: PollRecord;
  renamed: { from: string | null; to: string } | null;
}

export interface SnmpPoller {
  /** After a sweep: reads the due ones among these (alive) hosts that have SNMP enabled. */
  pollAfterSweep(hostIds: number[]): Promise<SweepPollSummary>;
  /** On demand: reads one host now (404 unknown host, 422 no settings or out of scope). */
  pollHost(hostId: number): Promise<HostPollResult>;
}

const DEFAULT_MAX_PER_SWEEP = 256;

export function createSnmpPoller(o: SnmpPollerOptions): SnmpPoller {
  let active = 0;
  const waiting: Array<() => void> = [];
  const slot = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= o.concurrency) await new Promise<void>((r) => waiting.push(r));
    else active++;
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
  const scope = o.scope ?? (() => Promise.resolve(() => true));

  const readAndRecord = (
    e: EffectiveSettings & { settings: NonNullable<EffectiveSettings["settings"]> },
  ) =>
    slot(async () => {
      const reading = await readSystem(
        { ip: e.ip, port: e.settings.port, credentials: credentialsOf(e.settings) },
        { factory: o.factory, timeoutMs: o.timeoutMs, retries: o.retries },
      );
      return await recordReading(o.db, e.host_id, reading, e.from!, new Date(o.now()));
    });

  return {
    async pollAfterSweep(hostIds) {
      const summary: SweepPollSummary = {
        polled: 0,
        ok: 0,
        failed: 0,
        renamed: 0,
        skipped_out_of_scope: 0,
        deferred: 0,
      };
      if (hostIds.length === 0 || o.enabled === false) return summary;
      // One cheap query instead of a settings lookup per host when nothing has SNMP on.
      if (!await anySnmpEnabled(o.db)) return summary;
      const due = await notPolledSince(o.db, hostIds, new Date(o.now() - o.intervalMs));
      const configured = (await effectiveSettings(o.db, [...due]))
        .filter((e) => e.settings?.enabled) as Array<
          EffectiveSettings & { settings: NonNullable<EffectiveSettings["settings"]> }
        >;
      const inScope = await scope();
      const allowed = configured.filter((e) => inScope(e.ip));
      summary.skipped_out_of_scope = configured.length - allowed.length;
      const max = o.maxPerSweep ?? DEFAULT_MAX_PER_SWEEP;
      summary.deferred = Math.max(0, allowed.length - max);
      const outcomes = await Promise.all(allowed.slice(0, max).map(readAndRecord));
      for (const out of outcomes) {
        summary.polled++;
        if (out.poll.status === "ok") summary.ok++;
        else summary.failed++;
        if (out.renamed) summary.renamed++;
      }
      return summary;
    },

    async pollHost(hostId) {
      const [e] = await effectiveSettings(o.db, [hostId]);
      if (!e) throw notFound(`host ${hostId}`);
      if (o.enabled === false) {
        throw new AppError(422, "snmp_off", "SNMP is switched off on this server (SNMP_ENABLED=0)");
      }
      if (!e.settings) {
        throw new AppError(
          422,
          "snmp_not_configured",
          `host ${hostId} has no SNMP settings, and no subnet containing ${e.ip} has any; ` +
            `PUT /api/v1/hosts/${hostId}/snmp or /api/v1/subnets/{id}/snmp first`,
        );
      }
      if (!e.settings.enabled) {
        throw new AppError(
          422,
          "snmp_disabled",
          `SNMP is disabled for host ${hostId} (${
            e.from === "host" ? "its own" : "its subnet's"
          } ` +
            `settings say enabled: false)`,
        );
      }
      if (!(await scope())(e.ip)) {
        throw new AppError(
          422,
          "out_of_scope",
          `${e.ip} is outside the scan scope (SCAN_SCOPE); Pingfold sends it nothing`,
        );
      }
      return await readAndRecord(
        e as EffectiveSettings & { settings: NonNullable<EffectiveSettings["settings"]> },
      );
    },
  };
}

/** The last poll of a host, or null. */
export { getPoll };
