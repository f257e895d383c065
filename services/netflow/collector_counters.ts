// The per-exporter counters the collector shows (API, health page, netflow_exporter.counters):
// the decoder's and the batcher's merged into one snake_case record, and their totals.
import type { BatcherCounters } from "./flow_batcher.ts";
import type { ExporterCounters } from "./flow_record.ts";

export interface ExporterCounterView {
  /** Datagrams received. */
  packets: number;
  /** Flow records decoded (late ones included). */
  records_decoded: number;
  /** Flow records committed to SQL. */
  records_inserted: number;
  /** Datagrams with any malformed part. */
  malformed: number;
  /** Data sets whose template was unknown when they arrived (buffered, see late_records). */
  unknown_template: number;
  /** Sequence number discontinuities. */
  sequence_gaps: number;
  /** Records dropped because the insert queue was full. */
  queue_drops: number;
  /** Records the database refused or that could not be stored at shutdown. */
  insert_failed: number;
  /** Export packets (v9) / records (v5, IPFIX) missing according to sequence numbers. */
  lost_packets: number;
  lost_records: number;
  /** Records decoded once their template arrived. */
  late_records: number;
  /** Buffered data sets dropped (their template never came, or the buffer was full). */
  pending_dropped: number;
  templates: number;
  unsupported_version: number;
  /** Decoder faults caught; should stay 0. */
  internal_errors: number;
  /** Flow records not stored for lack of an address (= the three skipped_* reasons). */
  records_skipped: number;
  skipped_no_address: number;
  skipped_no_src_addr: number;
  skipped_no_dst_addr: number;
  /** Records whose uptime-derived times lay far from the export time (set to it). */
  timestamps_clamped: number;
  /** Templates refused by the per-exporter or total template cap. */
  templates_refused: number;
  /** Data sets not buffered: the exporter had its most sets waiting for templates. */
  pending_refused: number;
  /** Packets of new source ids refused because the stream table was full. */
  streams_refused: number;
}

export const COUNTER_NAMES: ReadonlyArray<keyof ExporterCounterView> = [
  "packets",
  "records_decoded",
  "records_inserted",
  "malformed",
  "unknown_template",
  "sequence_gaps",
  "queue_drops",
  "insert_failed",
  "lost_packets",
  "lost_records",
  "late_records",
  "pending_dropped",
  "templates",
  "unsupported_version",
  "internal_errors",
  "records_skipped",
  "skipped_no_address",
  "skipped_no_src_addr",
  "skipped_no_dst_addr",
  "timestamps_clamped",
  "templates_refused",
  "pending_refused",
  "streams_refused",
];

export function emptyView(): ExporterCounterView {
  return Object.fromEntries(COUNTER_NAMES.map((k) => [k, 0])) as unknown as ExporterCounterView;
}

/** One view per exporter known to either side. */
export function mergeCounters(
  decoder: Record<string, ExporterCounters>,
  batcher: Record<string, BatcherCounters>,
): Record<string, ExporterCounterView> {
  const out: Record<string, ExporterCounterView> = {};
  for (const [exporter, d] of Object.entries(decoder)) {
    out[exporter] = {
      ...emptyView(),
      packets: d.packets,
      records_decoded: d.records,
      malformed: d.malformed,
      unknown_template: d.unknownTemplate,
      sequence_gaps: d.sequenceGaps,
      lost_packets: d.lostPackets,
      lost_records: d.lostRecords,
      late_records: d.lateRecords,
      pending_dropped: d.pendingDropped,
      templates: d.templates,
      unsupported_version: d.unsupportedVersion,
      internal_errors: d.internalErrors,
      records_skipped: d.recordsSkipped,
      skipped_no_address: d.skippedNoAddress,
      skipped_no_src_addr: d.skippedNoSrcAddr,
      skipped_no_dst_addr: d.skippedNoDstAddr,
      timestamps_clamped: d.timestampsClamped,
      templates_refused: d.templatesRefused,
      pending_refused: d.pendingRefused,
      streams_refused: d.streamsRefused,
    };
  }
  for (const [exporter, b] of Object.entries(batcher)) {
    const v = out[exporter] ??= emptyView();
    v.records_inserted = b.inserted;
    v.queue_drops = b.queueDrops;
    v.insert_failed = b.insertFailed;
  }
  return out;
}

export function sumCounters(views: Iterable<ExporterCounterView>): ExporterCounterView {
  const total = emptyView();
  for (const v of views) for (const k of COUNTER_NAMES) total[k] += v[k] ?? 0;
  return total;
}
