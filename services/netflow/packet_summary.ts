// Reads just the header (and set headers) of an export datagram for the per-packet debug line:
// `pkt exporter=… v=9 len=… count=… seq=… srcid=… sets=…`. Never throws on hostile input.

export interface PacketSummary {
  /** 5, 9, 10 or whatever the first two bytes say (-1 when shorter than that). */
  version: number;
  /** Datagram length in bytes. */
  length: number;
  /** Header record count (v5/v9); null for IPFIX (it has none) and unreadable headers. */
  count: number | null;
  /** Header sequence number; null when the header is too short. */
  sequence: number | null;
  /** v9 source id, IPFIX observation domain, v5 engine type << 8 | engine id. */
  sourceId: number | null;
  /** Set ids in order (v9 / IPFIX); null for v5 and unknown versions. */
  setIds: number[] | null;
  /** True when a set header runs past the end of the datagram. */
  truncated: boolean;
}

const MAX_LISTED_SETS = 16;

export function summarizePacket(bytes: Uint8Array): PacketSummary {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = bytes.length;
  const summary: PacketSummary = {
    version: length >= 2 ? view.getUint16(0) : -1,
    length,
    count: null,
    sequence: null,
    sourceId: null,
    setIds: null,
    truncated: false,
  };
  if (summary.version === 5 && length >= 24) {
    summary.count = view.getUint16(2);
    summary.sequence = view.getUint32(16);
    summary.sourceId = (view.getUint8(20) << 8) | view.getUint8(21);
  } else if (summary.version === 9 && length >= 20) {
    summary.count = view.getUint16(2);
    summary.sequence = view.getUint32(12);
    summary.sourceId = view.getUint32(16);
    walkSets(view, 20, length, summary);
  } else if (summary.version === 10 && length >= 16) {
    summary.sequence = view.getUint32(8);
    summary.sourceId = view.getUint32(12);
    walkSets(view, 16, Math.min(length, view.getUint16(2)), summary);
  } else {
    summary.truncated = summary.version === 5 || summary.version === 9 ||
      summary.version === 10 || length < 2;
  }
  return summary;
}

function walkSets(view: DataView, start: number, end: number, summary: PacketSummary): void {
  const ids: number[] = [];
  let pos = start;
  while (end - pos >= 4) {
    const setLength = view.getUint16(pos + 2);
    ids.push(view.getUint16(pos));
    if (setLength < 4 || setLength > end - pos) {
      summary.truncated = true;
      break;
    }
    pos += setLength;
  }
  summary.setIds = ids;
}

const orDash = (v: number | null) => (v === null ? "-" : String(v));

/** The debug line for one datagram; the exporter address is the only text from outside. */
export function formatPacketLine(exporter: string, s: PacketSummary): string {
  let sets = "-";
  if (s.setIds !== null) {
    const listed = s.setIds.slice(0, MAX_LISTED_SETS).join(",");
    sets = `${s.setIds.length}` + (s.setIds.length > 0 ? `[${listed}` : "") +
      (s.setIds.length > MAX_LISTED_SETS ? ",…]" : s.setIds.length > 0 ? "]" : "");
  }
  return `pkt exporter=${exporter} v=${s.version} len=${s.length} count=${orDash(s.count)} ` +
    `seq=${orDash(s.sequence)} srcid=${orDash(s.sourceId)} sets=${sets}` +
    (s.truncated ? " truncated" : "");
}
