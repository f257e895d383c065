import { createCommandRunner, planSweep, sweep } from "@/services/discovery/mod.ts";
const runner = createCommandRunner({ prefix: ["ip", "netns", "exec", "pf-bx"] });
const plan = planSweep("127.77.0.0/16");
const t = performance.now();
const res = await sweep(plan.targets, { runner, timeoutMs: 200, retries: 1, intervalMs: 0.02 });
console.log("sweep", performance.now() - t, res.results.filter(r => r.up).length, res.method, res.errors, res.notes);
