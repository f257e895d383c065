// Builds NetFlow v5 / v9 / IPFIX export packets byte by byte, for tests, fuzzing and
// benchmarks of the decoder (and of listeners that wrap it).
import { ipToBytes, parseIpLenient } from "@/services/ipam/mod.ts";
import { AppError } from "@/services/errors.ts";

/** A field value: unsigned integer, address text, or raw bytes. */
export type FieldValue = number | bigint | string | Uint8Array;
/** [length in octets or "var" (IPFIX variable length), value]. */
export type EncodedField = [number | "var", FieldValue];

export interface V5Flow {
  src: string;
  dst: string;
  nextHop?: string;
  inputIf?: number;
  outputIf?: number;
  packets: number;
  bytes: number;
  /** sysUptime ms at flow start / end. */
  first: number;
  last: number;
  srcPort: number;
  dstPort: number;
  tcpFlags?: number;
  protocol: number;
  tos?: number;
}

export interface V5Header {
  sysUptime: number;
  unixSecs: number;
  unixNsecs?: number;
  sequence: number;
  engineType?: number;
  engineId?: number;
  /** Raw 16-bit field: mode in the top 2 bits, interval in the low 14. */
  sampling?: number;
}

export function buildV5Packet(header: V5Header, flows: V5Flow[]): Uint8Array {
  const out = new Uint8Array(24 + flows.length * 48);
  const v = new DataView(out.buffer);
  v.setUint16(0, 5);
  v.setUint16(2, flows.length);
  v.setUint32(4, header.sysUptime >>> 0);
  v.setUint32(8, header.unixSecs >>> 0);
  v.setUint32(12, (header.unixNsecs ?? 0) >>> 0);
  v.setUint32(16, header.sequence >>> 0);
  v.setUint8(20, header.engineType ?? 0);
  v.setUint8(21, header.engineId ?? 0);
  v.setUint16(22, header.sampling ?? 0);
  flows.forEach((f, i) => {
    const p = 24 + i * 48;
    out.set(addressBytes(f.src, 4), p);
    out.set(addressBytes(f.dst, 4), p + 4);
    out.set(addressBytes(f.nextHop ?? "0.0.0.0", 4), p + 8);
    v.setUint16(p + 12, f.inputIf ?? 0);
    v.setUint16(p + 14, f.outputIf ?? 0);
    v.setUint32(p + 16, f.packets >>> 0);
    v.setUint32(p + 20, f.bytes >>> 0);
    v.setUint32(p + 24, f.first >>> 0);
    v.setUint32(p + 28, f.last >>> 0);
    v.setUint16(p + 32, f.srcPort);
    v.setUint16(p + 34, f.dstPort);
    v.setUint8(p + 37, f.tcpFlags ?? 0);
    v.setUint8(p + 38, f.protocol);
    v.setUint8(p + 39, f.tos ?? 0);
  });
  return out;
}

export interface V9Header {
  sysUptime: number;
  unixSecs: number;
  sequence: number;
  sourceId: number;
  /** Header record count; exporters fill it, decoders should not trust it. Default 0. */
  count?: number;
}

export function buildV9Packet(header: V9Header, sets: Uint8Array[]): Uint8Array {
  const head = new Uint8Array(20);
  const v = new DataView(head.buffer);
  v.setUint16(0, 9);
  v.setUint16(2, header.count ?? 0);
  v.setUint32(4, header.sysUptime >>> 0);
  v.setUint32(8, header.unixSecs >>> 0);
  v.setUint32(12, header.sequence >>> 0);
  v.setUint32(16, header.sourceId >>> 0);
  return concat([head, ...sets]);
}

export interface IpfixHeader {
  exportTime: number;
  sequence: number;
  domainId: number;
}

export function buildIpfixMessage(header: IpfixHeader, sets: Uint8Array[]): Uint8Array {
  const out = concat([new Uint8Array(16), ...sets]);
  const ov = new DataView(out.buffer);
  ov.setUint16(0, 10);
  ov.setUint16(2, out.length);
  ov.setUint32(4, header.exportTime >>> 0);
  ov.setUint32(8, header.sequence >>> 0);
  ov.setUint32(12, header.domainId >>> 0);
  return out;
}

/** A template field specifier: [id, length (0xFFFF = variable), enterprise number?]. */
export type FieldSpec = [number, number] | [number, number, number];

export interface TemplateSpec {
  id: number;
  fields: FieldSpec[];
}

/** A template set: set id 0 for v9, 2 for IPFIX. `padding` zero octets are appended. */
export function buildTemplateSet(setId: 0 | 2, templates: TemplateSpec[], padding = 0): Uint8Array {
  const parts: number[] = [];
  for (const t of templates) {
    push16(parts, t.id);
    push16(parts, t.fields.length);
    for (const f of t.fields) pushFieldSpec(parts, f);
  }
  return wrapSet(setId, parts, padding);
}

export interface V9OptionsTemplateSpec {
  id: number;
  /** v9 scope types: 1 System, 2 Interface, 3 Line Card, 4 Cache, 5 Template. */
  scope: FieldSpec[];
  options: FieldSpec[];
}

export function buildV9OptionsTemplateSet(
  templates: V9OptionsTemplateSpec[],
  padding = 0,
): Uint8Array {
  const parts: number[] = [];
  for (const t of templates) {
    push16(parts, t.id);
    push16(parts, t.scope.length * 4);
    push16(parts, t.options.length * 4);
    for (const f of [...t.scope, ...t.options]) pushFieldSpec(parts, f);
  }
  return wrapSet(1, parts, padding);
}

export interface IpfixOptionsTemplateSpec {
  id: number;
  scopeCount: number;
  fields: FieldSpec[];
}

export function buildIpfixOptionsTemplateSet(
  templates: IpfixOptionsTemplateSpec[],
  padding = 0,
): Uint8Array {
  const parts: number[] = [];
  for (const t of templates) {
    push16(parts, t.id);
    push16(parts, t.fields.length);
    push16(parts, t.scopeCount);
    for (const f of t.fields) pushFieldSpec(parts, f);
  }
  return wrapSet(3, parts, padding);
}

/** A data set of already encoded records, with `padding` zero octets at the end. */
export function buildDataSet(templateId: number, records: Uint8Array[], padding = 0): Uint8Array {
  const body = concat([...records, new Uint8Array(padding)]);
  const out = new Uint8Array(4 + body.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, templateId);
  v.setUint16(2, out.length);
  out.set(body, 4);
  return out;
}

/** Encodes one data record from [length, value] pairs in template order. */
export function encodeRecord(fields: EncodedField[]): Uint8Array {
  return concat(fields.map(([len, value]) => encodeField(len, value)));
}

function encodeField(len: number | "var", value: FieldValue): Uint8Array {
  if (len === "var") {
    const raw = typeof value === "string"
      ? new TextEncoder().encode(value)
      : value instanceof Uint8Array
      ? value
      : invalidField("a variable-length field takes text or bytes");
    const prefix = raw.length < 255
      ? Uint8Array.of(raw.length)
      : Uint8Array.of(255, raw.length >> 8, raw.length & 0xff);
    return concat([prefix, raw]);
  }
  if (value instanceof Uint8Array) {
    if (value.length !== len) invalidField(`raw value has ${value.length} octets, expected ${len}`);
    return value;
  }
  if (typeof value === "string") return addressBytes(value, len);
  const out = new Uint8Array(len);
  let n = BigInt(value);
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

function addressBytes(text: string, len: number): Uint8Array {
  const addr = parseIpLenient(text, { anyIpv4Form: true });
  if (!addr) invalidField(`"${text}" is not an IP address`);
  const bytes = ipToBytes(addr);
  if (bytes.length !== len) invalidField(`address ${text} does not fit ${len} octets`);
  return Uint8Array.from(bytes);
}

function invalidField(message: string): never {
  throw new AppError(422, "invalid_field", message);
}

function push16(parts: number[], n: number): void {
  parts.push((n >> 8) & 0xff, n & 0xff);
}

function pushFieldSpec(parts: number[], f: FieldSpec): void {
  const enterprise = f[2] ?? 0;
  push16(parts, enterprise !== 0 ? f[0] | 0x8000 : f[0]);
  push16(parts, f[1]);
  if (enterprise !== 0) {
    parts.push((enterprise >>> 24) & 0xff, (enterprise >>> 16) & 0xff);
    parts.push((enterprise >>> 8) & 0xff, enterprise & 0xff);
  }
}

function wrapSet(setId: number, body: number[], padding: number): Uint8Array {
  const out = new Uint8Array(4 + body.length + padding);
  const v = new DataView(out.buffer);
  v.setUint16(0, setId);
  v.setUint16(2, out.length);
  out.set(body, 4);
  return out;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
