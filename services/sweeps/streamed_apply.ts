// Stores a sweep's verdicts while the probe still runs: hosts fping proved up go through
// applyResults in batches (the next batch gathers while one is stored), and the rest of the
// verdicts follow once the sweep is over. Storing then overlaps with fping's own run instead of
// following it, so a sweep costs little more than fping does.
import { type ApplyDeps, type ApplyOutcome, applyResults } from "./apply_results.ts";
import type { KnownHost } from "@/services/ipam/mod.ts";
import type { SweepHostResult } from "./sweeper.ts";

export interface StreamedApplyInput {
  /** Inventoried hosts among the swept addresses, by canonical address (may still be loading). */
  known: Promise<ReadonlyMap<string, KnownHost>>;
  /** Alive unknown addresses become discovered hosts (subnet sweeps). */
  discover: boolean;
  /** Wall clock; the sweep's one timestamp is taken when its first verdict is stored. */
  now: () => number;
  /**
   * Distinct addresses swept: once that many answered, no more can come, so the last batch is
   * stored at once instead of waiting out the gap (an all-up subnet then costs no wait at the end).
   */
  expected?: number;
}

/**
 * A batch starts once this many answers wait, or this long after the previous batch started:
 * fping prints an answer a millisecond, and a transaction per answer would cost more than it hides.
 */
const BATCH_MIN = 64;
const BATCH_GAP_MS = 25;

export class StreamedApply {
  readonly #deps: ApplyDeps;
  readonly #input: StreamedApplyInput;
  #ts: number | null = null;
  #pending: SweepHostResult[] = [];
  readonly #applied = new Set<string>();
  readonly #outcomes: ApplyOutcome[] = [];
  #running: Promise<void> | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastStart = -Infinity;
  #failure: unknown = null;

  constructor(deps: ApplyDeps, input: StreamedApplyInput) {
    this.#deps = deps;
    this.#input = input;
  }

  /** Final verdicts known early (hosts that answered); stored in the background. */
  add(results: readonly SweepHostResult[]): void {
    for (const r of results) {
      if (this.#applied.has(r.ip)) continue;
      this.#applied.add(r.ip);
      this.#pending.push(r);
    }
    this.#kick();
  }

  /** Stores every verdict not stored yet, after the early batches, and returns the whole outcome. */
  async finish(results: readonly SweepHostResult[]): Promise<ApplyOutcome> {
    await this.flush();
    if (this.#failure) throw this.#failure;
    const rest = results.filter((r) => !this.#applied.has(r.ip));
    if (rest.length > 0 || this.#outcomes.length === 0) {
      for (const r of rest) this.#applied.add(r.ip);
      this.#outcomes.push(await this.#apply(rest));
    }
    return this.outcome();
  }

  /** Stores the answers received so far and waits for it (on abort or failure they stay stored). */
  async flush(): Promise<void> {
    while (this.#running || (this.#pending.length > 0 && !this.#failure)) {
      if (!this.#running) this.#start();
      await this.#running;
    }
  }

  /** What the batches stored so far add up to. */
  outcome(): ApplyOutcome {
    const all: ApplyOutcome = {
      up: 0,
      down: 0,
      discovered: [],
      flips: [],
      hosts: new Map(),
      transitions: [],
    };
    for (const o of this.#outcomes) {
      all.up += o.up;
      all.down += o.down;
      all.discovered.push(...o.discovered);
      all.flips.push(...o.flips);
      all.transitions.push(...o.transitions);
      for (const [ip, h] of o.hosts) all.hosts.set(ip, h);
    }
    return all;
  }

  async #apply(results: readonly SweepHostResult[]): Promise<ApplyOutcome> {
    this.#ts ??= this.#input.now();
    return await applyResults(this.#deps, {
      results,
      ts: this.#ts,
      known: await this.#input.known,
      discover: this.#input.discover,
    });
  }

  #kick(): void {
    if (this.#running || this.#failure || this.#timer !== undefined) return;
    if (this.#pending.length === 0) return;
    const last = this.#applied.size >= (this.#input.expected ?? Infinity);
    const wait = last || this.#pending.length >= BATCH_MIN
      ? 0
      : BATCH_GAP_MS - (performance.now() - this.#lastStart);
    if (wait > 0) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#kick();
      }, wait);
      return;
    }
    this.#start();
  }

  #start(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending;
    this.#pending = [];
    this.#lastStart = performance.now();
    this.#running = this.#apply(batch).then(
      (o) => void this.#outcomes.push(o),
      (err) => void (this.#failure = err),
    ).finally(() => {
      this.#running = null;
      this.#kick();
    });
  }
}
