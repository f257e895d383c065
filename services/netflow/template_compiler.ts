// Turns a received (options) template into a field offset table plus the positions of the
// fields the normalized record needs, so data records decode without per-field lookups.
import { IE, VARIABLE_LENGTH } from "./information_elements.ts";

export interface TemplateField {
  id: number;
  /** Octets; VARIABLE_LENGTH (IPFIX only) when each record carries its own length. */
  length: number;
  /** IPFIX private enterprise number, 0 for IANA fields. */
  enterprise: number;
}

/** How a start/end timestamp field is encoded. */
export const TimeKind = {
  None: 0,
  /** Milliseconds of exporter uptime (v9 FIRST/LAST_SWITCHED, IPFIX flow*SysUpTime). */
  Uptime: 1,
  Seconds: 2,
  Milliseconds: 3,
  /** NTP 64-bit format (dateTimeMicroseconds / dateTimeNanoseconds). */
  Ntp: 4,
  /** Microseconds before the IPFIX export time. */
  DeltaMicros: 5,
} as const;
export type TimeKind = typeof TimeKind[keyof typeof TimeKind];

/** Longest fixed record a set can hold (65535 set length minus its 4-byte header). */
export const MAX_RECORD_LENGTH = 65531;
/** More fields than any real exporter sends; bounds the work a hostile template causes. */
export const MAX_TEMPLATE_FIELDS = 1024;

/** A template ready for decoding. Slots hold a field index, or -1 when the field is absent. */
export class CompiledTemplate {
  /** Per-field offset from the record start; rewritten per record for variable templates. */
  readonly offsets: Int32Array;
  /** Per-field length; rewritten per record for variable-length fields. */
  readonly lengths: Int32Array;
  /** Record length, or -1 when any field is variable-length. */
  fixedLength = 0;
  /** Shortest possible record (variable fields count one length octet). */
  minLength = 0;
  /** True for data templates that describe flows (carry a source or destination address). */
  isFlow = false;
  src = -1;
  dst = -1;
  srcPort = -1;
  dstPort = -1;
  protocol = -1;
  tcpFlags = -1;
  inputIf = -1;
  outputIf = -1;
  bytesA = -1;
  bytesB = -1;
  packetsA = -1;
  packetsB = -1;
  start = -1;
  startKind: TimeKind = TimeKind.None;
  end = -1;
  endKind: TimeKind = TimeKind.None;
  systemInit = -1;
  /** samplingInterval (34) or samplerRandomInterval (50): an interval carried directly. */
  sampling = -1;
  /** samplerId (48) or selectorId (302): names a sampler described by options data. */
  samplerId = -1;
  packetInterval = -1;
  packetSpace = -1;
  sampleSize = -1;
  samplePopulation = -1;
  sampleProbability = -1;

  constructor(
    readonly id: number,
    readonly fields: readonly TemplateField[],
    /** Number of leading scope fields (options templates only). */
    readonly scopeCount: number,
    /** Options templates describe exporter metadata (sampling, init time), not flows. */
    readonly isOptions: boolean,
  ) {
    this.offsets = new Int32Array(fields.length);
    this.lengths = new Int32Array(fields.length);
  }
}

const START_PREFERENCE: Array<[number, TimeKind]> = [
  [IE.flowStartNanoseconds, TimeKind.Ntp],
  [IE.flowStartMicroseconds, TimeKind.Ntp],
  [IE.flowStartMilliseconds, TimeKind.Milliseconds],
  [IE.flowStartSeconds, TimeKind.Seconds],
  [IE.flowStartDeltaMicroseconds, TimeKind.DeltaMicros],
  [IE.flowStartSysUpTime, TimeKind.Uptime],
];
const END_PREFERENCE: Array<[number, TimeKind]> = [
  [IE.flowEndNanoseconds, TimeKind.Ntp],
  [IE.flowEndMicroseconds, TimeKind.Ntp],
  [IE.flowEndMilliseconds, TimeKind.Milliseconds],
  [IE.flowEndSeconds, TimeKind.Seconds],
  [IE.flowEndDeltaMicroseconds, TimeKind.DeltaMicros],
  [IE.flowEndSysUpTime, TimeKind.Uptime],
  // Cisco ASA NSEL event time: when the flow was torn down or updated.
  [IE.observationTimeMilliseconds, TimeKind.Milliseconds],
];

/**
 * Compiles a template. Returns a reason string when the template can never describe a
 * decodable record. `mapScopeFields` is false for v9, whose scope field types (System,
 * Interface, ...) are not information elements; IPFIX scope fields are ordinary ones.
 */
export function compileTemplate(
  id: number,
  fields: readonly TemplateField[],
  scopeCount: number,
  isOptions: boolean,
  mapScopeFields: boolean,
): CompiledTemplate | string {
  if (id < 256 || id > 0xffff) return `template id ${id} is reserved: expected 256..65535`;
  if (fields.length === 0) return `template ${id} has no fields`;
  if (fields.length > MAX_TEMPLATE_FIELDS) {
    return `template ${id} has ${fields.length} fields: expected at most ${MAX_TEMPLATE_FIELDS}`;
  }
  if (scopeCount > fields.length) {
    return `template ${id} has ${scopeCount} scope fields but only ${fields.length} fields`;
  }
  const t = new CompiledTemplate(id, fields, scopeCount, isOptions);
  const first = new Map<number, number>();
  let offset = 0;
  let minLength = 0;
  let variable = false;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (f.length === VARIABLE_LENGTH) {
      variable = true;
      minLength += 1;
      t.lengths[i] = -1;
    } else {
      t.offsets[i] = offset;
      t.lengths[i] = f.length;
      offset += f.length;
      minLength += f.length;
    }
    const mappable = f.enterprise === 0 && (mapScopeFields || i >= scopeCount);
    if (mappable && !first.has(f.id)) first.set(f.id, i);
  }
  if (minLength === 0) return `template ${id} describes zero-length records`;
  if (minLength > MAX_RECORD_LENGTH) {
    return `template ${id} record length ${minLength} exceeds ${MAX_RECORD_LENGTH} octets`;
  }
  t.fixedLength = variable ? -1 : offset;
  t.minLength = minLength;

  const int = (ieId: number): number => {
    const i = first.get(ieId);
    if (i === undefined) return -1;
    const len = fields[i].length;
    return len >= 1 && len <= 8 ? i : -1;
  };
  const addr = (ieId: number, len: number): number => {
    const i = first.get(ieId);
    return i !== undefined && fields[i].length === len ? i : -1;
  };

  t.src = addr(IE.sourceIPv4Address, 4);
  if (t.src < 0) t.src = addr(IE.sourceIPv6Address, 16);
  t.dst = addr(IE.destinationIPv4Address, 4);
  if (t.dst < 0) t.dst = addr(IE.destinationIPv6Address, 16);
  t.srcPort = int(IE.sourceTransportPort);
  t.dstPort = int(IE.destinationTransportPort);
  t.protocol = int(IE.protocolIdentifier);
  t.tcpFlags = int(IE.tcpControlBits);
  t.inputIf = int(IE.ingressInterface);
  t.outputIf = int(IE.egressInterface);

  // Octets: the plain delta counter, else NSEL initiator + responder, else post/total counters.
  [t.bytesA, t.bytesB] = pickCounter(
    int,
    IE.octetDeltaCount,
    IE.initiatorOctets,
    IE.responderOctets,
    IE.postOctetDeltaCount,
    IE.octetTotalCount,
  );
  [t.packetsA, t.packetsB] = pickCounter(
    int,
    IE.packetDeltaCount,
    IE.initiatorPackets,
    IE.responderPackets,
    IE.postPacketDeltaCount,
    IE.packetTotalCount,
  );

  [t.start, t.startKind] = pickTime(START_PREFERENCE, first, fields);
  [t.end, t.endKind] = pickTime(END_PREFERENCE, first, fields);
  t.systemInit = int(IE.systemInitTimeMilliseconds);

  t.sampling = int(IE.samplingInterval);
  if (t.sampling < 0) t.sampling = int(IE.samplerRandomInterval);
  t.samplerId = int(IE.samplerId);
  if (t.samplerId < 0) t.samplerId = int(IE.selectorId);
  t.packetInterval = int(IE.samplingPacketInterval);
  t.packetSpace = int(IE.samplingPacketSpace);
  t.sampleSize = int(IE.samplingSize);
  t.samplePopulation = int(IE.samplingPopulation);
  const prob = first.get(IE.samplingProbability);
  t.sampleProbability =
    prob !== undefined && (fields[prob].length === 4 || fields[prob].length === 8) ? prob : -1;

  t.isFlow = !isOptions && (t.src >= 0 || t.dst >= 0);
  return t;
}

function pickCounter(
  int: (id: number) => number,
  delta: number,
  initiator: number,
  responder: number,
  post: number,
  total: number,
): [number, number] {
  const d = int(delta);
  if (d >= 0) return [d, -1];
  const a = int(initiator);
  const b = int(responder);
  if (a >= 0 || b >= 0) return a >= 0 ? [a, b] : [b, -1];
  const p = int(post);
  if (p >= 0) return [p, -1];
  return [int(total), -1];
}

function pickTime(
  preference: Array<[number, TimeKind]>,
  first: Map<number, number>,
  fields: readonly TemplateField[],
): [number, TimeKind] {
  for (const [id, kind] of preference) {
    const i = first.get(id);
    if (i === undefined) continue;
    const len = fields[i].length;
    if (kind === TimeKind.Ntp ? len === 8 : len >= 1 && len <= 8) return [i, kind];
  }
  return [-1, TimeKind.None];
}
