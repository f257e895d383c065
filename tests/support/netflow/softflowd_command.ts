// How tests and benchmarks drive softflowd, the real exporter: where it is and how it is called.
import { join } from "node:path";

/** softflowd's path; a clear error naming the Debian package when it is missing. */
export function findSoftflowd(): string {
  for (const dir of ["/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/bin", "/usr/local/bin"]) {
    const path = join(dir, "softflowd");
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // not in this directory
    }
  }
  throw new Error(
    "softflowd is not installed: run `apt-get install softflowd` (Debian package) so the " +
      "decoder and collector can be checked against a real NetFlow exporter",
  );
}

export interface SoftflowdRun {
  pcap: string;
  /** UDP port on 127.0.0.1 that receives the export. */
  port: number;
  version: "5" | "9" | "10" | string;
  pidFile: string;
  extraArgs?: string[];
}

/** Reads the pcap once and exports every 5-tuple as its own flow, then exits. */
export function softflowdArgs(run: SoftflowdRun): string[] {
  return [
    "-r",
    run.pcap,
    "-n",
    `127.0.0.1:${run.port}`,
    "-v",
    run.version,
    "-d",
    "-T",
    "full",
    // No -c: with a control socket softflowd keeps running after the pcap ends.
    "-p",
    run.pidFile,
    ...(run.extraArgs ?? []),
  ];
}
