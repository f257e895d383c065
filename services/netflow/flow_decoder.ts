// The collector's decoding entry point: any NetFlow v5/v9/IPFIX datagram in, normalized flow
// records out; never throws on hostile input, and counts what happened per exporter.
import { emptyCounters, type ExporterCounters, type FlowRecord } from "./flow_record.ts";
import { type ImportResult, TemplateCache, type TemplateCacheSnapshot } from "./template_cache.ts";
import { type PendingSet, PendingSets } from "./pending_sets.ts";
import { decodeV5 } from "./v5_decoder.ts";
import { decodeIpfix, type DecoderEnv, decodeV9 } from "./v9_ipfix_decoder.ts";

export interface FlowDecoderOptions {
  /** Clock in ms; drives how long data sets wait for their template. */
  now: () => number;
  /** How long a data set waits for its template before it is dropped; default 60 000 ms. */
  pendingTtlMs?: number;
  /** Most data sets waiting at once (oldest dropped first); default 1024. */
  maxPending?: number;
  /** Most data sets one exporter may have waiting (more are refused); default 256. */
  maxPendingPerExporter?: number;
  /** Most bytes of waiting data sets; default 8 MiB. */
  maxPendingBytes?: number;
  /** Most export streams (exporter + version + source id) remembered; default 4096. */
  maxDomains?: number;
  /** Most templates per stream (oldest evicted first); default 1024. */
  maxTemplatesPerDomain?: number;
  /**
   * Most templates in total and per exporter address (a template of more than 32 fields counts
   * once per 32); new ones beyond are refused unless idle ones can make room. Default 16384 / 2048.
   */
  maxTemplates?: number;
  maxTemplatesPerExporter?: number;
  /** A template not refreshed for this long may be evicted to make room; default 30 min. */
  templateIdleMs?: number;
  /** Most exporters with their own counters; later ones share the "*" entry; default 65536. */
  maxExporters?: number;
}

export interface FlowDecoder {
  /**
   * Decodes one datagram from `exporter` (its address). Returns its flow records plus any
   * records of earlier buffered data sets whose template this datagram carried. Never throws.
   */
  decode(packet: Uint8Array, exporter: string): FlowRecord[];
  /** Drops buffered data sets older than the time to live (decode also does this). */
  expirePending(): void;
  /** Number of data sets waiting for their template. */
  pendingCount(): number;
  /** Snapshot of the counters, by exporter. */
  counters(): Record<string, ExporterCounters>;
  /** Templates and options state as plain JSON-able data, to persist across restarts. */
  exportTemplates(): TemplateCacheSnapshot;
  /**
   * Restores `exportTemplates()` output within the caps; throws AppError(422) when it is not in
   * that format.
   */
  importTemplates(snapshot: unknown): ImportResult;
}

const OVERFLOW_EXPORTER = "*";

export function createFlowDecoder(options: FlowDecoderOptions): FlowDecoder {
  const now = options.now;
  const cache = new TemplateCache({
    maxDomains: options.maxDomains ?? 4096,
    maxTemplatesPerDomain: options.maxTemplatesPerDomain ?? 1024,
    maxSamplersPerDomain: 256,
    maxTemplates: options.maxTemplates ?? 16384,
    maxTemplatesPerExporter: options.maxTemplatesPerExporter ?? 2048,
    idleMs: options.templateIdleMs,
  });
  const pending = new PendingSets({
    ttlMs: options.pendingTtlMs ?? 60_000,
    maxSets: options.maxPending ?? 1024,
    maxBytes: options.maxPendingBytes ?? 8 * 1024 * 1024,
    maxSetsPerExporter: options.maxPendingPerExporter ?? 256,
  });
  const maxExporters = options.maxExporters ?? 65536;
  const byExporter = new Map<string, ExporterCounters>();

  const countersFor = (exporter: string): ExporterCounters => {
    let c = byExporter.get(exporter);
    if (c === undefined) {
      const key = byExporter.size < maxExporters ? exporter : OVERFLOW_EXPORTER;
      c = byExporter.get(key);
      if (c === undefined) {
        c = emptyCounters();
        byExporter.set(key, c);
      }
    }
    return c;
  };
  const dropPending = (dropped: PendingSet): void => {
    countersFor(dropped.exporter).pendingDropped++;
  };
  const env: DecoderEnv = {
    cache,
    pending,
    nowMs: 0,
    counters: emptyCounters(),
    dropPending,
  };

  const decode = (packet: Uint8Array, exporter: string): FlowRecord[] => {
    const counters = countersFor(exporter);
    counters.packets++;
    const out: FlowRecord[] = [];
    try {
      env.nowMs = now();
      if (pending.size > 0) pending.expire(env.nowMs, dropPending);
      env.counters = counters;
      let malformed = false;
      const version = packet.length >= 2 ? (packet[0] << 8) | packet[1] : -1;
      const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
      if (version === 5) {
        malformed = decodeV5(view, packet, exporter, cache, counters, out);
      } else if (version === 9) {
        malformed = decodeV9(view, packet, exporter, env, out);
      } else if (version === 10) {
        malformed = decodeIpfix(view, packet, exporter, env, out);
      } else if (version < 0) {
        malformed = true;
      } else {
        counters.unsupportedVersion++;
        malformed = true;
      }
      if (malformed) counters.malformed++;
    } catch {
      // A decoder bug must not take the listener down: count it and drop the packet's rest.
      counters.internalErrors++;
      counters.malformed++;
    }
    counters.records += out.length;
    return out;
  };

  return {
    decode,
    expirePending: () => pending.expire(now(), dropPending),
    pendingCount: () => pending.size,
    counters: () => {
      const snapshot: Record<string, ExporterCounters> = {};
      for (const [exporter, c] of byExporter) snapshot[exporter] = { ...c };
      return snapshot;
    },
    exportTemplates: () => cache.export(),
    importTemplates: (snapshot: unknown) => cache.import(snapshot, now()),
  };
}
