// Walks NetFlow v9 (RFC 3954) and IPFIX (RFC 7011) export packets: header, sets, templates,
// options templates, data sets (buffered while their template is unknown), sequence numbers.
import type { ExporterCounters, FlowRecord } from "./flow_record.ts";
import {
  type CompiledTemplate,
  compileTemplate,
  MAX_TEMPLATE_FIELDS,
  type TemplateField,
} from "./template_compiler.ts";
import type { DomainState, TemplateCache } from "./template_cache.ts";
import type { PendingSet, PendingSets } from "./pending_sets.ts";
import { decodeDataSet, type PacketContext } from "./data_set_decoder.ts";
import { observeIpfix, observeV9 } from "./sequence_tracker.ts";

/** The decoder's shared state, as seen while decoding one packet. */
export interface DecoderEnv {
  cache: TemplateCache;
  pending: PendingSets;
  nowMs: number;
  counters: ExporterCounters;
  dropPending: (dropped: PendingSet) => void;
}

const V9_HEADER = 20;
const IPFIX_HEADER = 16;
/**
 * Real exporters send at most a few dozen templates per datagram; compiling thousands of
 * tiny hostile ones would let one 64 KiB datagram cost milliseconds.
 */
export const MAX_TEMPLATES_PER_PACKET = 512;

/** False (and the packet marked malformed) once the packet has used up its template budget. */
function templateBudgetLeft(ctx: PacketContext): boolean {
  if (ctx.templateRecords < MAX_TEMPLATES_PER_PACKET) return true;
  ctx.malformed = true;
  return false;
}

function newContext(
  exporter: string,
  version: 9 | 10,
  sourceId: number,
  domain: DomainState,
  env: DecoderEnv,
  headerMs: number,
  sysUptime: number,
  out: FlowRecord[],
): PacketContext {
  return {
    exporter,
    version,
    sourceId,
    domain,
    cache: env.cache,
    headerMs,
    sysUptime,
    out,
    malformed: false,
    allRecords: 0,
    optionsRecords: 0,
    templateRecords: 0,
    counters: env.counters,
  };
}

/** A stream the full cache refused: its packet is counted, and decoded without templates. */
function noteRefused(domain: DomainState, env: DecoderEnv): void {
  if (!domain.registered) env.counters.streamsRefused++;
}

/** Decodes a v9 packet into `out`; returns true when any part of it was malformed. */
export function decodeV9(
  view: DataView,
  bytes: Uint8Array,
  exporter: string,
  env: DecoderEnv,
  out: FlowRecord[],
): boolean {
  if (bytes.length < V9_HEADER) return true;
  const sysUptime = view.getUint32(4);
  const headerMs = view.getUint32(8) * 1000;
  const sequence = view.getUint32(12);
  const sourceId = view.getUint32(16);
  const domain = env.cache.domain(exporter, 9, sourceId, env.nowMs);
  noteRefused(domain, env);
  const lost = observeV9(domain.sequence, sequence);
  if (lost > 0) {
    env.counters.sequenceGaps++;
    env.counters.lostPackets += lost;
  }
  const ctx = newContext(exporter, 9, sourceId, domain, env, headerMs, sysUptime, out);
  walkSets(view, bytes, V9_HEADER, bytes.length, ctx, env);
  return ctx.malformed;
}

/** Decodes an IPFIX message into `out`; returns true when any part of it was malformed. */
export function decodeIpfix(
  view: DataView,
  bytes: Uint8Array,
  exporter: string,
  env: DecoderEnv,
  out: FlowRecord[],
): boolean {
  if (bytes.length < IPFIX_HEADER) return true;
  const length = view.getUint16(2);
  if (length < IPFIX_HEADER || length > bytes.length) return true;
  const headerMs = view.getUint32(4) * 1000;
  const sequence = view.getUint32(8);
  const domainId = view.getUint32(12);
  const domain = env.cache.domain(exporter, 10, domainId, env.nowMs);
  noteRefused(domain, env);
  const ctx = newContext(exporter, 10, domainId, domain, env, headerMs, 0, out);
  const countsKnown = walkSets(view, bytes, IPFIX_HEADER, length, ctx, env);
  const all = ctx.allRecords;
  const lost = observeIpfix(
    domain.sequence,
    sequence,
    all,
    all - ctx.optionsRecords,
    countsKnown && !ctx.malformed,
  );
  if (lost > 0) {
    env.counters.sequenceGaps++;
    env.counters.lostRecords += lost;
  }
  return ctx.malformed;
}

/** Processes the sets in [start, end); returns false when some data set could not be counted. */
function walkSets(
  view: DataView,
  bytes: Uint8Array,
  start: number,
  end: number,
  ctx: PacketContext,
  env: DecoderEnv,
): boolean {
  const ipfix = ctx.version === 10;
  const templateSet = ipfix ? 2 : 0;
  const optionsSet = ipfix ? 3 : 1;
  let countsKnown = true;
  let pos = start;
  while (end - pos >= 4) {
    const setId = view.getUint16(pos);
    const setLength = view.getUint16(pos + 2);
    if (setLength < 4 || setLength > end - pos) {
      // Some v9 exporters (Palo Alto, Cisco ACI) pad the packet with zeros after the last set.
      if (!ipfix && allZero(bytes, pos, end)) return countsKnown;
      ctx.malformed = true;
      return false;
    }
    const bodyStart = pos + 4;
    const bodyEnd = pos + setLength;
    if (setId === templateSet) {
      if (ipfix) parseIpfixTemplates(view, bodyStart, bodyEnd, false, ctx, env);
      else parseV9Templates(view, bodyStart, bodyEnd, ctx, env);
    } else if (setId === optionsSet) {
      if (ipfix) parseIpfixTemplates(view, bodyStart, bodyEnd, true, ctx, env);
      else parseV9OptionsTemplates(view, bodyStart, bodyEnd, ctx, env);
    } else if (setId >= 256) {
      const t = ctx.domain.templates.get(setId);
      if (t !== undefined) {
        decodeDataSet(view, bytes, bodyStart, bodyEnd, t, ctx);
      } else {
        countsKnown = false;
        env.counters.unknownTemplate++;
        // An empty set holds no record whatever its template turns out to be.
        if (bodyEnd > bodyStart) {
          const kept = env.pending.add({
            domainKey: ctx.domain.key,
            exporter: ctx.exporter,
            version: ctx.version,
            sourceId: ctx.sourceId,
            templateId: setId,
            body: bytes.slice(bodyStart, bodyEnd),
            arrivedMs: env.nowMs,
            headerMs: ctx.headerMs,
            sysUptime: ctx.sysUptime,
          }, env.dropPending);
          if (!kept) env.counters.pendingRefused++;
        }
      }
    }
    // Other set ids are reserved: skipped, their length is still trustworthy.
    pos = bodyEnd;
  }
  // v9 packets may carry trailing padding; an IPFIX message must end on a set boundary.
  if (ipfix && pos !== end) ctx.malformed = true;
  return countsKnown;
}

function allZero(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return false;
  return true;
}

function parseV9Templates(
  view: DataView,
  start: number,
  end: number,
  ctx: PacketContext,
  env: DecoderEnv,
): void {
  let pos = start;
  while (end - pos >= 4) {
    const id = view.getUint16(pos);
    const count = view.getUint16(pos + 2);
    if (id === 0 && count === 0) return; // padding
    if (!templateBudgetLeft(ctx)) return;
    if (count === 0 || count > MAX_TEMPLATE_FIELDS || 4 + count * 4 > end - pos) {
      ctx.malformed = true;
      return;
    }
    pos += 4;
    if (refused(id, count, ctx, env)) {
      pos += count * 4;
      continue;
    }
    const fields = readV9Fields(view, pos, count);
    pos += count * 4;
    accept(compileTemplate(id, fields, 0, false, false), ctx, env);
  }
}

/** `count` NetFlow v9 field specifiers (type, length; 4 bytes each) starting at `pos`. */
function readV9Fields(view: DataView, pos: number, count: number): TemplateField[] {
  const fields: TemplateField[] = new Array(count);
  for (let i = 0; i < count; i++, pos += 4) {
    fields[i] = { id: view.getUint16(pos), length: view.getUint16(pos + 2), enterprise: 0 };
  }
  return fields;
}

function parseV9OptionsTemplates(
  view: DataView,
  start: number,
  end: number,
  ctx: PacketContext,
  env: DecoderEnv,
): void {
  let pos = start;
  while (end - pos >= 6) {
    const id = view.getUint16(pos);
    const scopeLength = view.getUint16(pos + 2);
    const optionLength = view.getUint16(pos + 4);
    if (id === 0) return; // padding
    if (!templateBudgetLeft(ctx)) return;
    const count = (scopeLength + optionLength) / 4;
    if (
      scopeLength % 4 !== 0 || optionLength % 4 !== 0 || count === 0 ||
      count > MAX_TEMPLATE_FIELDS || 6 + scopeLength + optionLength > end - pos
    ) {
      ctx.malformed = true;
      return;
    }
    pos += 6;
    if (refused(id, count, ctx, env)) {
      pos += count * 4;
      continue;
    }
    const fields = readV9Fields(view, pos, count);
    pos += count * 4;
    accept(compileTemplate(id, fields, scopeLength / 4, true, false), ctx, env);
  }
}

function parseIpfixTemplates(
  view: DataView,
  start: number,
  end: number,
  options: boolean,
  ctx: PacketContext,
  env: DecoderEnv,
): void {
  let pos = start;
  while (end - pos >= 4) {
    const id = view.getUint16(pos);
    const count = view.getUint16(pos + 2);
    if (id === 0 && count === 0) return; // padding
    if (!templateBudgetLeft(ctx)) return;
    pos += 4;
    if (count === 0) {
      // Withdrawal (RFC 7011 §8.1): the set id itself as template id withdraws them all.
      const all = id === (options ? 3 : 2);
      if (!all && id < 256) {
        ctx.malformed = true;
        return;
      }
      ctx.cache.withdraw(ctx.domain, id, options, all);
      ctx.templateRecords++;
      continue;
    }
    let scopeCount = 0;
    if (options) {
      if (end - pos < 2) {
        ctx.malformed = true;
        return;
      }
      scopeCount = view.getUint16(pos);
      pos += 2;
      if (scopeCount === 0 || scopeCount > count) {
        ctx.malformed = true;
        return;
      }
    }
    if (count > MAX_TEMPLATE_FIELDS || count * 4 > end - pos) {
      ctx.malformed = true;
      return;
    }
    // IPFIX fields vary in length: the template is walked first (to find where it ends and that
    // it is whole), then refused — allocating nothing, as a flood is — or read and compiled.
    const fieldsAt = pos;
    for (let i = 0; i < count; i++) {
      if (end - pos < 4) {
        ctx.malformed = true;
        return;
      }
      const enterpriseBit = view.getUint16(pos) & 0x8000;
      pos += 4;
      if (enterpriseBit) {
        if (end - pos < 4) {
          ctx.malformed = true;
          return;
        }
        pos += 4;
      }
    }
    if (refused(id, count, ctx, env)) continue;
    const fields = readIpfixFields(view, fieldsAt, count);
    accept(compileTemplate(id, fields, scopeCount, options, true), ctx, env);
  }
}

/** `count` IPFIX field specifiers from `pos`, already checked to be whole by the caller. */
function readIpfixFields(view: DataView, pos: number, count: number): TemplateField[] {
  const fields: TemplateField[] = new Array(count);
  for (let i = 0; i < count; i++) {
    let id = view.getUint16(pos);
    const length = view.getUint16(pos + 2);
    pos += 4;
    let enterprise = 0;
    if (id & 0x8000) {
      id &= 0x7fff;
      enterprise = view.getUint32(pos);
      pos += 4;
    }
    fields[i] = { id, length, enterprise };
  }
  return fields;
}

/** True (counted) when the caps leave no room for this template: it is skipped, not compiled. */
function refused(id: number, fieldCount: number, ctx: PacketContext, env: DecoderEnv): boolean {
  if (env.cache.refusal(ctx.domain, id, fieldCount, env.nowMs) === null) return false;
  ctx.templateRecords++;
  env.counters.templatesRefused++;
  return true;
}

/** Stores a valid template and decodes the data sets that were waiting for it. */
function accept(t: CompiledTemplate | string, ctx: PacketContext, env: DecoderEnv): void {
  ctx.templateRecords++;
  if (typeof t === "string") {
    ctx.malformed = true;
    return;
  }
  if (env.cache.setTemplate(ctx.domain, t, env.nowMs) !== null) {
    env.counters.templatesRefused++;
    return;
  }
  env.counters.templates++;
  if (env.pending.size === 0) return;
  for (const waiting of env.pending.take(ctx.domain.key, t.id)) {
    const late = newContext(
      waiting.exporter,
      waiting.version,
      waiting.sourceId,
      ctx.domain,
      env,
      waiting.headerMs,
      waiting.sysUptime,
      ctx.out,
    );
    const before = ctx.out.length;
    const body = waiting.body;
    decodeDataSet(
      new DataView(body.buffer, body.byteOffset, body.byteLength),
      body,
      0,
      body.length,
      t,
      late,
    );
    env.counters.lateRecords += ctx.out.length - before;
    if (late.malformed) ctx.malformed = true;
  }
}
