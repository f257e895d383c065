// Shared by the collector tests: a collector on a random loopback port, softflowd as a real
// exporter, bounded waiting, and synthetic traffic in TEST-NET ranges.
import { findSoftflowd, softflowdArgs, type SyntheticFlow } from "@/tests/support/netflow/mod.ts";
import { join } from "node:path";
import type { Db } from "@/services/store/mod.ts";
import { type Collector, type CollectorOptions, startCollector } from "@/services/netflow/mod.ts";
import { childEnv } from "@/services/jobs/mod.ts";

export function collectorOptions(overrides: Partial<CollectorOptions> = {}): CollectorOptions {
  return {
    hostname: "127.0.0.1",
    port: 0,
    recvBufferBytes: 4 * 1024 * 1024,
    batchSize: 200,
    flushIntervalMs: 50,
    queueMax: 100_000,
    retentionDays: 7,
    rollupRetentionDays: 90,
    logLevel: "error",
    dumpHex: false,
    dumpHexLen: 64,
    name: "test-collector",
    ...overrides,
  };
}

export function startTestCollector(
  db: Db,
  overrides: Partial<CollectorOptions> = {},
): Promise<Collector> {
  return startCollector({ db, now: Date.now }, collectorOptions(overrides));
}

/** Polls until `ok()` holds; throws after `ms` naming what never happened. */
export async function waitFor(what: string, ok: () => boolean | Promise<boolean>, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Runs softflowd over a pcap, exporting to 127.0.0.1:`port` (NetFlow `version` 5, 9 or 10),
 * and waits for it to finish (bounded). Returns its exit code and output.
 */
export async function runSoftflowd(
  pcap: string,
  port: number,
  version: "5" | "9" | "10",
  workDir: string,
  timeoutMs = 30_000,
): Promise<{ code: number; log: string }> {
  const child = new Deno.Command(findSoftflowd(), {
    // Only PATH and LANG: the test runner's environment is none of softflowd's business.
    clearEnv: true,
    env: childEnv(),
    args: softflowdArgs({
      pcap,
      port,
      version,
      pidFile: join(workDir, `softflowd-${version}.pid`),
    }),
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const killed = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  const result = await Promise.race([child.output(), killed]);
  clearTimeout(timer);
  if (result === "timeout") {
    child.kill("SIGKILL");
    await child.output();
    throw new Error(`softflowd -v ${version} did not finish within ${timeoutMs} ms`);
  }
  const dec = new TextDecoder();
  return { code: result.code, log: dec.decode(result.stdout) + dec.decode(result.stderr) };
}

/** TCP and UDP flows between TEST-NET hosts (and 2001:db8::/32 ones unless `v4Only`). */
export function labFlows(v4Only: boolean, salt = 0): SyntheticFlow[] {
  const flows: SyntheticFlow[] = [];
  for (let i = 0; i < 180; i++) {
    flows.push({
      src: `127.0.2.${1 + (i % 60)}`,
      dst: `198.51.100.${1 + (i % 9)}`,
      srcPort: 20000 + salt + i,
      dstPort: i % 3 === 0 ? 53 : 443,
      protocol: i % 3 === 0 ? 17 : 6,
      packets: 1 + (i % 7),
      payloadSizes: [i % 40, 1400, 0, 600 + i],
    });
  }
  for (let i = 0; i < 20; i++) {
    flows.push({
      src: `203.0.113.${1 + i}`,
      dst: `127.0.2.${100 + (i % 5)}`,
      srcPort: 40000 + salt + i,
      dstPort: 22,
      protocol: 6,
      packets: 3 + i,
      payloadSizes: [1200],
    });
  }
  if (!v4Only) {
    for (let i = 0; i < 40; i++) {
      flows.push({
        src: `2001:db8::${(i + 1).toString(16)}`,
        dst: `2001:db8:0:1::${(i % 4) + 1}`,
        srcPort: 30000 + salt + i,
        dstPort: i % 2 === 0 ? 123 : 22,
        protocol: i % 2 === 0 ? 17 : 6,
        packets: 1 + (i % 5),
        payloadSizes: [48, 1200],
      });
    }
  }
  return flows;
}
