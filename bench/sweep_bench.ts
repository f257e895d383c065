// Compares a sweep of 127.0.0.0/20 through Pingfold's sweeper with raw fping using the same options.
//
// Run: deno run -A bench/sweep_bench.ts [rounds]   (loopback only: every 127.x answers on Linux)
import { runCommand } from "@/services/jobs/mod.ts";
import { fpingArgs, planSweep, sweep } from "@/services/sweeps/mod.ts";

const CIDR = "127.0.0.0/20";
const OPTIONS = { timeoutMs: 500, retries: 1, intervalMs: 1 };
const rounds = Math.max(1, Number(Deno.args[0] ?? 3));

const plan = planSweep(CIDR);
const args = fpingArgs(OPTIONS);
const stdin = [...plan.targets].join("\n") + "\n";

async function rawFping(): Promise<{ ms: number; up: number }> {
  const started = performance.now();
  const child = new Deno.Command("fping", {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  })
    .spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const out = await child.output();
  const ms = performance.now() - started;
  const up = new TextDecoder().decode(out.stdout).split("\n").filter((l) => l.includes(" is alive"))
    .length;
  return { ms, up };
}

async function sweeper(): Promise<{ ms: number; up: number; method: string }> {
  const started = performance.now();
  const res = await sweep(plan.targets, { runner: runCommand, ...OPTIONS });
  const ms = performance.now() - started;
  return { ms, up: res.results.filter((r) => r.up).length, method: res.method };
}

const rows: Array<{ round: number; fping_ms: number; sweeper_ms: number; ratio: number }> = [];
for (let round = 1; round <= rounds; round++) {
  // Alternate the order so neither side always runs on a warmer machine.
  let raw: { ms: number; up: number };
  let ours: { ms: number; up: number; method: string };
  if (round % 2 === 1) {
    raw = await rawFping();
    ours = await sweeper();
  } else {
    ours = await sweeper();
    raw = await rawFping();
  }
  if (raw.up !== plan.count || ours.up !== plan.count) {
    throw new Error(`expected ${plan.count} hosts up, fping saw ${raw.up}, sweeper ${ours.up}`);
  }
  rows.push({
    round,
    fping_ms: Math.round(raw.ms),
    sweeper_ms: Math.round(ours.ms),
    ratio: Number((ours.ms / raw.ms).toFixed(3)),
  });
}

console.log(`sweep of ${CIDR} (${plan.count} addresses), fping ${args.join(" ")} < targets`);
console.table(rows);
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const fpingMedian = median(rows.map((r) => r.fping_ms));
const sweeperMedian = median(rows.map((r) => r.sweeper_ms));
console.log(
  `median: fping ${fpingMedian} ms, sweeper ${sweeperMedian} ms, ratio ${
    (sweeperMedian / fpingMedian).toFixed(3)
  } (target <= 1.15)`,
);
