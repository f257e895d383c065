// Decodes NetFlow v5 export packets (fixed 24-byte header + 48-byte records) into FlowRecords.
import type { ExporterCounters, FlowRecord } from "./flow_record.ts";
import type { TemplateCache } from "./template_cache.ts";
import { observeV5 } from "./sequence_tracker.ts";
import { formatIpv4 } from "./wire_format.ts";

const HEADER = 24;
const RECORD = 48;

/** Decodes a v5 packet into `out`; returns true when the packet was malformed. */
export function decodeV5(
  view: DataView,
  bytes: Uint8Array,
  exporter: string,
  cache: TemplateCache,
  counters: ExporterCounters,
  out: FlowRecord[],
): boolean {
  if (bytes.length < HEADER) return true;
  const declared = view.getUint16(2);
  const sysUptime = view.getUint32(4);
  const headerMs = view.getUint32(8) * 1000 + Math.floor(view.getUint32(12) / 1e6);
  const sequence = view.getUint32(16);
  const sourceId = (view.getUint8(20) << 8) | view.getUint8(21);
  // Top 2 bits: sampling mode; low 14 bits: 1-in-N interval (0 = not sampled).
  const interval = view.getUint16(22) & 0x3fff;
  const samplingInterval = interval > 0 ? interval : 1;
  const fits = Math.floor((bytes.length - HEADER) / RECORD);
  const count = declared < fits ? declared : fits;

  const domain = cache.domain(exporter, 5, sourceId);
  if (!domain.registered) counters.streamsRefused++;
  const lost = observeV5(domain.sequence, sequence, count);
  if (lost > 0) {
    counters.sequenceGaps++;
    counters.lostRecords += lost;
  }

  for (let r = 0, p = HEADER; r < count; r++, p += RECORD) {
    out.push({
      exporter,
      version: 5,
      sourceId,
      srcAddr: formatIpv4(bytes, p),
      dstAddr: formatIpv4(bytes, p + 4),
      srcPort: view.getUint16(p + 32),
      dstPort: view.getUint16(p + 34),
      protocol: view.getUint8(p + 38),
      bytes: view.getUint32(p + 20),
      packets: view.getUint32(p + 16),
      // First/last are sysUptime ms; a signed 32-bit age survives the 49.7-day wrap.
      startMs: headerMs - ((sysUptime - view.getUint32(p + 24)) | 0),
      endMs: headerMs - ((sysUptime - view.getUint32(p + 28)) | 0),
      inputIf: view.getUint16(p + 12),
      outputIf: view.getUint16(p + 14),
      tcpFlags: view.getUint8(p + 37),
      samplingInterval,
    });
  }
  return declared > fits;
}
