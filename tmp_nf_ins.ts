import { openPglite, migrate } from "@/services/store/mod.ts";
import { FlowChunkBuilder } from "@/services/netflow/flow_chunk.ts";
import { insertFlowBatch } from "@/services/netflow/flow_repo.ts";
const N = Number(Deno.args[0]);
const variant = Deno.args[1] ?? "";
const dir = await Deno.makeTempDir();
const db = await openPglite(variant.includes("mem") ? "memory://" : dir);
await migrate(db);
if (variant.includes("noidx")) await db.exec("drop index netflow_flow_end");
if (variant.includes("brin")) await db.exec("drop index netflow_flow_end; create index netflow_flow_end on netflow_flow using brin (end_at)");
const now = Date.now();
const mk = () => { const b = new FlowChunkBuilder("127.0.0.1", N); for (let i = 0; i < N; i++) b.push({ exporter: "127.0.0.1", version: 9, sourceId: 0, srcAddr: `192.0.2.${1 + i % 250}`, dstAddr: `198.51.100.${1 + i % 50}`, srcPort: 1024 + i % 5000, dstPort: 443, protocol: 6, bytes: 1500 + i, packets: 2, startMs: now - 1000, endMs: now, inputIf: 1, outputIf: 2, tcpFlags: 27, samplingInterval: 1 }, now); return b.take(); };
let total = 0; const t0 = performance.now(); let q = 0;
while (performance.now() - t0 < 6000) { const c = mk(); const q0 = performance.now(); await insertFlowBatch(db, [c], { nowMs: now, collector: "x" }); q += performance.now() - q0; total += N; }
console.log(N, variant, "rows/s (insert incl. encode)", Math.round(total / (q / 1000)));
await db.close(); await Deno.remove(dir, { recursive: true });
