// How a scan interval reads ("every 5 min") and what the scheduler really keeps of it, so the
// interval a subnet shows is the one it is swept at.

/** "30 s", "1 min", "5 min", "1 h", "1 h 30 min", "1 d". */
export function intervalWords(seconds: number): string {
  if (seconds < 60 || seconds % 60 !== 0) return `${seconds} s`;
  const m = seconds / 60;
  if (m < 60) return `${m} min`;
  if (m % 1440 === 0) return `${m / 1440} d`;
  const h = Math.floor(m / 60);
  return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
}

/**
 * The interval a subnet set to `intervalS` is swept at: never shorter than the floor
 * (SCAN_ICMP_INTERVAL_SECONDS), and rounded up to the scheduler's tick (a minute, or the floor when
 * that is shorter), since a sweep can only start on a tick.
 */
export function sweptEveryS(intervalS: number, floorS: number): number {
  const tick = floorS < 60 ? floorS : 60;
  const kept = Math.max(intervalS, floorS);
  return Math.ceil(kept / tick) * tick;
}

/** Why the scheduler could not keep `intervalS` (in the form's words), or null when it can. */
export function intervalProblem(intervalS: number, floorS: number): string | null {
  const real = sweptEveryS(intervalS, floorS);
  if (real === intervalS) return null;
  const tick = floorS < 60 ? floorS : 60;
  return `Sweeps start every ${intervalWords(tick)} here (at least ${
    intervalWords(floorS)
  } apart), so ${intervalWords(intervalS)} would really be ${intervalWords(real)}: ` +
    `choose ${real} seconds or another multiple of ${tick}.`;
}

/** The last known-host check as the scanner page needs it (services/sweeps KnownHostCheck). */
export interface HostCheckSummary {
  finished_at: number;
  hosts: number;
  up: number;
  left_to_sweeps: number;
  status: string;
}

/**
 * "Known hosts are pinged every 60 s between sweeps; the last check 12 s ago: 10 of 12 up (3 left
 * to running sweeps)." The one wording of the known-host cycle on the scanner page.
 */
export function knownHostCycleWords(
  everyS: number,
  last: HostCheckSummary | null,
  now: number,
): string {
  const head = `Known hosts are pinged every ${intervalWords(everyS)} between sweeps`;
  if (!last) return `${head}; no check has finished yet.`;
  const age = Math.max(0, Math.round((now - last.finished_at) / 1000));
  const left = last.left_to_sweeps > 0
    ? ` (${last.left_to_sweeps} left to their subnet's sweep)`
    : "";
  const result = last.status === "succeeded"
    ? `${last.up} of ${last.hosts} up${left}`
    : `${last.status}${left}`;
  return `${head}; the last check ${intervalWords(age)} ago: ${result}.`;
}
