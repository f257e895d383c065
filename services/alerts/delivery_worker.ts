// Sends queued deliveries: claims due rows under a lease, sends each once per attempt with a
// deadline, records the outcome (success once; failures retried with backoff up to a bound).
import http from "node:http";
import https from "node:https";
import type { Db } from "@/services/store/mod.ts";
import { parseRetryAfter, retryDelayMs } from "./backoff.ts";
import {
  type AttemptOutcome,
  claim,
  type ClaimedDelivery,
  recordAttempt,
} from "./delivery_repo.ts";
import { postOnce } from "./http_sender.ts";
import { type MailSettings, sendMail } from "./mail_sender.ts";
import { renderRequest } from "./payload_formats.ts";
import { sign } from "./signature.ts";
import type { AddressPolicy, Resolver } from "./target_address.ts";
import type { TargetForSend } from "./targets_repo.ts";

export interface WorkerOptions {
  db: Db;
  now: () => number;
  policy: AddressPolicy;
  mail: MailSettings;
  /** Deliveries in flight at once on this instance. */
  concurrency: number;
  /** In flight per target, so a dead target cannot take every slot. */
  perTarget: number;
  timeoutMs: number;
  /** A claim outlives the attempt's deadline; an expired lease means the worker died. */
  leaseMs: number;
  pollMs: number;
  backoff: { baseMs: number; maxMs: number; random?: () => number };
  userAgent: string;
  resolve?: Resolver;
  log?: (level: "info" | "warn", msg: string, fields: Record<string, unknown>) => void;
  /** Told after every recorded attempt (live views, tests). */
  onAttempt?: (d: ClaimedDelivery, o: AttemptOutcome) => void;
}

export type AttemptHeaders = Record<string, string>;

/** The X-Pingfold-* headers of one attempt (the timestamp is fresh each attempt). */
export function signedHeaders(
  d: Pick<ClaimedDelivery, "uuid" | "kind">,
  secret: string,
  body: string,
  nowMs: number,
): AttemptHeaders {
  const ts = Math.floor(nowMs / 1000);
  return {
    "X-Pingfold-Event": d.kind,
    "X-Pingfold-Delivery": d.uuid,
    "X-Pingfold-Timestamp": String(ts),
    "X-Pingfold-Signature": sign(secret, ts, body),
  };
}

export class DeliveryWorker {
  private readonly agents = {
    http: new http.Agent({ keepAlive: true, timeout: 30_000 }),
    https: new https.Agent({ keepAlive: true, timeout: 30_000 }),
  };
  private stopped = true;
  private loopDone: Promise<void> = Promise.resolve();
  private readonly inflight = new Set<Promise<void>>();
  private wakeUp: (() => void) | null = null;
  private pending = false;

  constructor(private readonly o: WorkerOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loopDone = this.loop();
  }

  /** Stops claiming and waits for attempts in flight (each bounded by its deadline). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.loopDone;
    await Promise.allSettled([...this.inflight]);
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /** Something was queued: look now rather than at the next poll. */
  wake(): void {
    this.pending = true;
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  get busy(): number {
    return this.inflight.size;
  }

  /** Claims once and sends what it got; resolves when those attempts are recorded (tests). */
  async runOnce(): Promise<number> {
    const claimed = await this.claimSome();
    await Promise.all(claimed.map((d) => this.process(d)));
    return claimed.length;
  }

  private async claimSome(): Promise<ClaimedDelivery[]> {
    const free = this.o.concurrency - this.inflight.size;
    if (free <= 0) return [];
    return await claim(this.o.db, {
      now: this.o.now(),
      leaseMs: this.o.leaseMs,
      limit: free,
      perTarget: this.o.perTarget,
    });
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      this.pending = false;
      let claimed: ClaimedDelivery[] = [];
      try {
        claimed = await this.claimSome();
      } catch (err) {
        if (this.stopped) break;
        this.o.log?.("warn", "alert delivery claim failed", { error: String(err) });
      }
      for (const d of claimed) {
        const p: Promise<void> = this.process(d).catch((err) => {
          this.o.log?.("warn", "alert delivery failed to record", {
            delivery: d.uuid,
            error: String(err),
          });
        }).finally(() => {
          this.inflight.delete(p);
          this.wake();
        });
        this.inflight.add(p);
      }
      if (claimed.length > 0 || this.pending) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.o.pollMs);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = null;
    }
  }

  private async process(d: ClaimedDelivery): Promise<void> {
    const target = d.target;
    let outcome: AttemptOutcome;
    if (d.attempts > d.max_attempts) {
      // The previous holder died during the last allowed attempt (its lease expired).
      outcome = giveUp("gave up: the worker of the last attempt stopped before recording it");
    } else if (!target.enabled) {
      outcome = giveUp("the target is disabled");
    } else {
      outcome = await this.attempt(target, d);
    }
    const recorded = await recordAttempt(this.o.db, d, outcome, this.o.now());
    if (!recorded) {
      this.o.log?.("warn", "alert delivery lease lost; outcome not recorded", {
        delivery: d.uuid,
      });
      return;
    }
    this.o.onAttempt?.(d, outcome);
  }

  private async attempt(target: TargetForSend, d: ClaimedDelivery): Promise<AttemptOutcome> {
    const now = this.o.now();
    let status: number | null = null;
    let error: string | null;
    let latencyMs: number;
    let permanent: boolean;
    let retryAfter: string | null = null;
    if (target.kind === "email") {
      const headers = signedHeaders(d, target.secret, JSON.stringify(d.payload), now);
      const r = await sendMail(this.o.mail, target.url, d.payload, headers);
      ({ error, latencyMs, permanent } = r);
    } else {
      const req = renderRequest(target.kind, d.payload);
      const r = await postOnce({
        url: target.url,
        body: req.body,
        headers: {
          "content-type": req.contentType,
          "user-agent": this.o.userAgent,
          ...req.headers,
          ...signedHeaders(d, target.secret, req.body, now),
        },
        timeoutMs: this.o.timeoutMs,
        policy: this.o.policy,
        resolve: this.o.resolve,
        agents: this.agents,
      });
      ({ status, error, latencyMs, permanent, retryAfter } = r);
    }
    if (error === null) return { ok: true, status, error: null, latencyMs, retryAt: null };
    const last = d.attempts >= d.max_attempts;
    const retryAt = permanent || last
      ? null
      : now + retryDelayMs(d.attempts, this.o.backoff, parseRetryAfter(retryAfter, now));
    const why = permanent ? "" : last ? ` (gave up after ${d.attempts} attempts)` : "";
    return { ok: false, status, error: error + why, latencyMs, retryAt };
  }
}

function giveUp(error: string): AttemptOutcome {
  return { ok: false, status: null, error, latencyMs: 0, retryAt: null };
}
