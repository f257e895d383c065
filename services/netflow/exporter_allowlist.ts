// Which source addresses the collector accepts datagrams from (NETFLOW_ALLOWED_EXPORTERS): the
// check runs in the receive worker before decoding, so refused datagrams cost no decoder state.
// It imports ipam's address parser directly, not ipam/mod.ts: the worker must not load the store.
import { parseCidr, type ParsedCidr, tryParseIp } from "@/services/ipam/mod.ts";

export interface ExporterAllowlist {
  /** True when `exporter` (canonical address text) may send; always true for an empty list. */
  allows(exporter: string): boolean;
}

/** Most addresses whose verdict is remembered (spoofed floods must not grow it). */
const MEMO_MAX = 4096;

export function createExporterAllowlist(cidrs: readonly string[]): ExporterAllowlist {
  if (cidrs.length === 0) return { allows: () => true };
  const ranges: ParsedCidr[] = cidrs.map((c) => parseCidr(c, { normalize: true }));
  const memo = new Map<string, boolean>();
  return {
    allows(exporter) {
      const known = memo.get(exporter);
      if (known !== undefined) return known;
      const ip = tryParseIp(exporter);
      const ok = ip !== null &&
        ranges.some((r) => r.family === ip.family && ip.value >= r.first && ip.value <= r.last);
      if (memo.size >= MEMO_MAX) memo.clear();
      memo.set(exporter, ok);
      return ok;
    },
  };
}
