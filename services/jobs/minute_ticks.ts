// Drives a scheduler's tick: each minute through Deno.cron, right away at start-up, and on any
// shorter timer a starter asks for. Shared by the sweep and port-scan starters.
import { log } from "@/services/logger.ts";

export interface MinuteTicksOptions {
  /** Deno.cron name; unique per kind of work. */
  cronName: string;
  /** Starts due work; must not throw (log instead). */
  tick: () => unknown;
  /** Debug line written when the cron name is taken and a timer ticks instead. */
  timerNote: string;
  /** A second, shorter period (cron resolution is one minute). */
  alsoEveryMs?: number;
}

/** Starts ticking; the function returned stops the cron and every timer. */
export function startMinuteTicks(opts: MinuteTicksOptions): () => void {
  const stopCron = new AbortController();
  const timers: Array<ReturnType<typeof setTimeout>> = [];
  try {
    Deno.cron(opts.cronName, "* * * * *", { signal: stopCron.signal }, async () => {
      await opts.tick();
    });
  } catch (err) {
    // Another app instance in this process (tests) already owns the name: tick on a timer instead.
    log.debug(opts.timerNote, { error: String(err) });
    timers.push(setInterval(opts.tick, 60_000));
  }
  if (opts.alsoEveryMs !== undefined) timers.push(setInterval(opts.tick, opts.alsoEveryMs));
  // Do not wait up to a minute after start-up for the first run.
  timers.push(setTimeout(opts.tick, 0));
  return () => {
    stopCron.abort();
    for (const t of timers) clearTimeout(t);
  };
}
