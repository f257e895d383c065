// Decodes the records of one v9/IPFIX data set with its compiled template: flow records
// become normalized FlowRecords, options records update the stream's sampling and uptime base.
import type { ExporterCounters, FlowRecord } from "./flow_record.ts";
import { type CompiledTemplate, TimeKind } from "./template_compiler.ts";
import type { DomainState, TemplateCache } from "./template_cache.ts";
import { formatAddress, readNtpMs, readUnsigned } from "./wire_format.ts";
import { VARIABLE_LENGTH } from "./information_elements.ts";

/** What a data set needs from its export packet. */
export interface PacketContext {
  exporter: string;
  version: 9 | 10;
  sourceId: number;
  domain: DomainState;
  cache: TemplateCache;
  /** v9: header unix secs; IPFIX: export time; in ms. */
  headerMs: number;
  /** v9 header sysUptime (ms); unused for IPFIX. */
  sysUptime: number;
  out: FlowRecord[];
  malformed: boolean;
  /** Data records decoded (any template) and options records among them, for IPFIX sequence. */
  allRecords: number;
  optionsRecords: number;
  /** Template records seen in this packet, to cap the work one datagram can cause. */
  templateRecords: number;
  /** The exporter's counters (skipped records, clamped times). */
  counters: ExporterCounters;
}

/** Uptime-derived flow times further than this after the export time are clamped to it. */
export const CLAMP_FUTURE_MS = 60_000;
/** ...or further than this before it (flow records cover minutes, an exporter's uptime base
 * may be a few days stale; a wrapped or corrupt uptime lands up to 24.8 days away). */
export const CLAMP_PAST_MS = 7 * 86_400_000;

/**
 * Fills `t.offsets`/`t.lengths` for the variable-length record at `base`; returns its length,
 * or -1 when the record runs past `end`.
 */
function layoutVariableRecord(
  view: DataView,
  base: number,
  end: number,
  t: CompiledTemplate,
): number {
  const fields = t.fields;
  const offsets = t.offsets;
  const lengths = t.lengths;
  let pos = base;
  for (let i = 0; i < fields.length; i++) {
    let len = fields[i].length;
    if (len === VARIABLE_LENGTH) {
      if (pos + 1 > end) return -1;
      len = view.getUint8(pos);
      pos += 1;
      if (len === 255) {
        if (pos + 2 > end) return -1;
        len = view.getUint16(pos);
        pos += 2;
      }
    }
    if (pos + len > end) return -1;
    offsets[i] = pos - base;
    lengths[i] = len;
    pos += len;
  }
  return pos - base;
}

/** Decodes every record of a data set body [start, end); trailing bytes shorter than a record are padding. */
export function decodeDataSet(
  view: DataView,
  bytes: Uint8Array,
  start: number,
  end: number,
  t: CompiledTemplate,
  ctx: PacketContext,
): void {
  const fixed = t.fixedLength;
  let pos = start;
  let count = 0;
  if (fixed > 0) {
    const n = Math.floor((end - start) / fixed);
    count = n;
    if (t.isFlow) {
      const out = ctx.out;
      for (let r = 0; r < n; r++, pos += fixed) {
        const record = buildFlowRecord(view, bytes, pos, t, ctx);
        if (record !== null) out.push(record);
      }
    } else if (t.isOptions) {
      for (let r = 0; r < n; r++, pos += fixed) applyOptionsRecord(view, pos, t, ctx);
      ctx.optionsRecords += n;
    } else {
      skipNoAddress(ctx, n);
    }
  } else {
    while (end - pos >= t.minLength) {
      const len = layoutVariableRecord(view, pos, end, t);
      if (len < 0) {
        ctx.malformed = true;
        break;
      }
      if (t.isFlow) {
        const record = buildFlowRecord(view, bytes, pos, t, ctx);
        if (record !== null) ctx.out.push(record);
      } else if (t.isOptions) {
        applyOptionsRecord(view, pos, t, ctx);
        ctx.optionsRecords++;
      } else {
        skipNoAddress(ctx, 1);
      }
      count++;
      pos += len;
    }
  }
  ctx.allRecords += count;
}

/** Data records of a template with no address field at all: flows nobody can place. */
function skipNoAddress(ctx: PacketContext, n: number): void {
  ctx.counters.recordsSkipped += n;
  ctx.counters.skippedNoAddress += n;
}

/** A time derived from the exporter's uptime, clamped to the export time when far from it. */
function clampUptime(ms: number, ctx: PacketContext): number {
  const header = ctx.headerMs;
  if (header <= 0 || Number.isNaN(ms)) return ms;
  return ms > header + CLAMP_FUTURE_MS || ms < header - CLAMP_PAST_MS ? header : ms;
}

function field(view: DataView, base: number, t: CompiledTemplate, i: number): number {
  return i < 0 ? 0 : readUnsigned(view, base + t.offsets[i], t.lengths[i]);
}

function timeOf(
  view: DataView,
  base: number,
  t: CompiledTemplate,
  i: number,
  kind: TimeKind,
  ctx: PacketContext,
  initMs: number,
): number {
  if (i < 0) return NaN;
  const pos = base + t.offsets[i];
  const len = t.lengths[i];
  switch (kind) {
    case TimeKind.Uptime: {
      const uptime = readUnsigned(view, pos, len);
      // Age = now-uptime minus flow-uptime, read as signed 32 bits: handles the 49.7-day
      // wrap, and flows stamped slightly after the header (or before init) stay close.
      if (ctx.version === 9) return ctx.headerMs - ((ctx.sysUptime - uptime) | 0);
      if (Number.isNaN(initMs)) return NaN;
      return ctx.headerMs - ((ctx.headerMs - initMs - uptime) | 0);
    }
    case TimeKind.Seconds:
      return readUnsigned(view, pos, len) * 1000;
    case TimeKind.Milliseconds:
      return readUnsigned(view, pos, len);
    case TimeKind.Ntp:
      return readNtpMs(view, pos);
    case TimeKind.DeltaMicros:
      return ctx.headerMs - Math.round(readUnsigned(view, pos, len) / 1000);
    default:
      return NaN;
  }
}

/** The record as a FlowRecord, or null (counted) when it lacks an address. */
function buildFlowRecord(
  view: DataView,
  bytes: Uint8Array,
  base: number,
  t: CompiledTemplate,
  ctx: PacketContext,
): FlowRecord | null {
  const offsets = t.offsets;
  const lengths = t.lengths;
  const domain = ctx.domain;

  const srcAddr = t.src >= 0 ? formatAddress(bytes, base + offsets[t.src], lengths[t.src]) : "";
  const dstAddr = t.dst >= 0 ? formatAddress(bytes, base + offsets[t.dst], lengths[t.dst]) : "";
  if (srcAddr === "" || dstAddr === "") {
    const c = ctx.counters;
    c.recordsSkipped++;
    if (srcAddr !== "") c.skippedNoDstAddr++;
    else if (dstAddr !== "") c.skippedNoSrcAddr++;
    else c.skippedNoAddress++;
    return null;
  }

  let initMs = domain.systemInitMs;
  if (t.systemInit >= 0) initMs = field(view, base, t, t.systemInit);
  let startMs = timeOf(view, base, t, t.start, t.startKind, ctx, initMs);
  let endMs = timeOf(view, base, t, t.end, t.endKind, ctx, initMs);
  if (t.startKind === TimeKind.Uptime || t.endKind === TimeKind.Uptime) {
    // A corrupt or wrapped uptime would store the flow days away from when it was exported.
    const start = t.startKind === TimeKind.Uptime ? clampUptime(startMs, ctx) : startMs;
    const end = t.endKind === TimeKind.Uptime ? clampUptime(endMs, ctx) : endMs;
    if (start !== startMs || end !== endMs) {
      ctx.counters.timestampsClamped++;
      startMs = start;
      endMs = end > start || Number.isNaN(start) ? end : start;
    }
  }
  if (Number.isNaN(endMs)) endMs = Number.isNaN(startMs) ? ctx.headerMs : startMs;
  if (Number.isNaN(startMs)) startMs = endMs;

  let sampling = domain.samplingInterval;
  if (t.sampling >= 0) {
    const direct = field(view, base, t, t.sampling);
    if (direct > 0) sampling = direct;
  } else if (t.samplerId >= 0) {
    const bySampler = domain.samplers.get(field(view, base, t, t.samplerId));
    if (bySampler !== undefined) sampling = bySampler;
  }

  let bytesCount = field(view, base, t, t.bytesA);
  if (t.bytesB >= 0) bytesCount += field(view, base, t, t.bytesB);
  let packets = field(view, base, t, t.packetsA);
  if (t.packetsB >= 0) packets += field(view, base, t, t.packetsB);

  return {
    exporter: ctx.exporter,
    version: ctx.version,
    sourceId: ctx.sourceId,
    srcAddr,
    dstAddr,
    srcPort: field(view, base, t, t.srcPort),
    dstPort: field(view, base, t, t.dstPort),
    protocol: field(view, base, t, t.protocol),
    bytes: bytesCount,
    packets,
    startMs,
    endMs,
    inputIf: field(view, base, t, t.inputIf),
    outputIf: field(view, base, t, t.outputIf),
    tcpFlags: field(view, base, t, t.tcpFlags),
    samplingInterval: sampling > 0 ? sampling : 1,
  };
}

/** Learns sampling intervals and the IPFIX uptime base from one options data record. */
function applyOptionsRecord(
  view: DataView,
  base: number,
  t: CompiledTemplate,
  ctx: PacketContext,
): void {
  const domain = ctx.domain;
  if (t.systemInit >= 0) domain.systemInitMs = field(view, base, t, t.systemInit);
  let interval = 0;
  if (t.sampling >= 0) {
    interval = field(view, base, t, t.sampling);
  } else if (t.packetInterval >= 0) {
    // Systematic count-based sampling: take `interval` packets, skip `space` (RFC 5476).
    const taken = field(view, base, t, t.packetInterval);
    const space = field(view, base, t, t.packetSpace);
    if (taken > 0) interval = (taken + space) / taken;
  } else if (t.sampleSize >= 0 && t.samplePopulation >= 0) {
    const size = field(view, base, t, t.sampleSize);
    const population = field(view, base, t, t.samplePopulation);
    if (size > 0) interval = population / size;
  } else if (t.sampleProbability >= 0) {
    const pos = base + t.offsets[t.sampleProbability];
    const p = t.lengths[t.sampleProbability] === 8 ? view.getFloat64(pos) : view.getFloat32(pos);
    if (p > 0 && p <= 1) interval = 1 / p;
  }
  if (!(interval > 0) || !Number.isFinite(interval)) return;
  if (t.samplerId >= 0) {
    ctx.cache.setSampler(domain, field(view, base, t, t.samplerId), interval);
  } else {
    domain.samplingInterval = interval;
  }
}
