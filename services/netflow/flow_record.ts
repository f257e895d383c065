// The normalized flow record every decoder emits, and the per-exporter decode counters.

/** One unidirectional flow, whatever the export protocol. */
export interface FlowRecord {
  /** Address the export packet came from, as given to `decode`. */
  exporter: string;
  /** Export protocol: 5, 9 or 10 (IPFIX). */
  version: 5 | 9 | 10;
  /** v9 source id / IPFIX observation domain id / v5 (engine_type << 8 | engine_id). */
  sourceId: number;
  /** Canonical text: dotted quad, or RFC 5952 compressed IPv6. */
  srcAddr: string;
  dstAddr: string;
  srcPort: number;
  dstPort: number;
  protocol: number;
  /** Octets as counted by the exporter (not multiplied by the sampling interval). */
  bytes: number;
  packets: number;
  /** Absolute flow start and end, Unix epoch milliseconds. */
  startMs: number;
  endMs: number;
  inputIf: number;
  outputIf: number;
  tcpFlags: number;
  /** 1 in N packets sampled; 1 when the exporter announced no sampling. */
  samplingInterval: number;
}

/** What happened to one exporter's packets since the decoder was created. */
export interface ExporterCounters {
  /** Datagrams given to `decode` (every one counted, valid or not). */
  packets: number;
  /** Flow records returned, including late ones decoded from buffered data sets. */
  records: number;
  /** Packets with any malformed part (bad header, set, template or record). */
  malformed: number;
  /** Data sets that referenced a template not known when they arrived. */
  unknownTemplate: number;
  /** Records returned late, once the template of their buffered data set arrived. */
  lateRecords: number;
  /** Buffered data sets dropped because they expired or the buffer was full. */
  pendingDropped: number;
  /** Sequence-number discontinuities seen (each counted once). */
  sequenceGaps: number;
  /** NetFlow v9 export packets missing according to sequence numbers. */
  lostPackets: number;
  /** NetFlow v5 flows / IPFIX data records missing according to sequence numbers. */
  lostRecords: number;
  /** Template and options template records accepted (refreshes included). */
  templates: number;
  /** Packets whose version was not 5, 9 or 10. */
  unsupportedVersion: number;
  /** Unexpected decoder faults caught so `decode` never throws; should stay 0. */
  internalErrors: number;
  /** Flow records not returned because they lack an address: the sum of the three below. */
  recordsSkipped: number;
  /** ...with neither a source nor a destination address (the template carries none). */
  skippedNoAddress: number;
  /** ...with a destination but no source address. */
  skippedNoSrcAddr: number;
  /** ...with a source but no destination address. */
  skippedNoDstAddr: number;
  /** Records whose uptime-derived start or end lay far from the export time, set to it. */
  timestampsClamped: number;
  /** Template records not stored: the exporter's or the collector's template cap was reached. */
  templatesRefused: number;
  /** Data sets not buffered for their template: the exporter had its most sets waiting. */
  pendingRefused: number;
  /** Packets of a new stream (source id) refused because the stream table was full. */
  streamsRefused: number;
}

export function emptyCounters(): ExporterCounters {
  return {
    packets: 0,
    records: 0,
    malformed: 0,
    unknownTemplate: 0,
    lateRecords: 0,
    pendingDropped: 0,
    sequenceGaps: 0,
    lostPackets: 0,
    lostRecords: 0,
    templates: 0,
    unsupportedVersion: 0,
    internalErrors: 0,
    recordsSkipped: 0,
    skippedNoAddress: 0,
    skippedNoSrcAddr: 0,
    skippedNoDstAddr: 0,
    timestampsClamped: 0,
    templatesRefused: 0,
    pendingRefused: 0,
    streamsRefused: 0,
  };
}
