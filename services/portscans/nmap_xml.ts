// Parses `nmap -oX -` output into hosts and ports, without ever expanding entities or DTDs.
//
// Service names, products and versions come from remote banners: they are returned as plain,
// length-capped strings with control characters removed, and must be escaped wherever shown.
import { XMLParser } from "fast-xml-parser";
import { AppError } from "@/services/errors.ts";
import { normalizeIp } from "@/services/ipam/mod.ts";

export interface NmapPort {
  port: number;
  proto: "tcp" | "udp" | "sctp" | "ip";
  /** open, closed, filtered, unfiltered, open|filtered, closed|filtered. */
  state: string;
  /** Service name as nmap guessed it (e.g. "http"), "" when unknown. */
  service: string;
  /** Product from version detection (e.g. "nginx"), "" when unknown. */
  product: string;
  /** Version from version detection, "" when unknown. */
  version: string;
}

export interface NmapHost {
  ip: string;
  /** nmap's host state: "up", "down", "unknown"… */
  status: string;
  /** Hardware address when nmap saw one (same link, root only). */
  mac: string | null;
  ports: NmapPort[];
}

const MAX_TEXT = 256;
const PROTOS = new Set(["tcp", "udp", "sctp", "ip"]);

// Entities stay unexpanded (processEntities: false); the five predefined XML entities and
// character references are decoded by hand below, which cannot blow up or reach outside.
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "",
  processEntities: false,
  htmlEntities: false,
  parseAttributeValue: false,
  parseTagValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (name) => ["host", "address", "port", "hostname"].includes(name),
});

/**
 * Reads nmap's XML report. Throws AppError 502 `invalid_nmap_xml` when the document is not an
 * nmap report or carries an internal DTD subset (nmap never writes one; a document that does is
 * hostile or corrupt, and is refused before any parsing).
 */
export function parseNmapXml(xml: string): NmapHost[] {
  if (/<!DOCTYPE[^>]*\[/i.test(xml) || /<!ENTITY/i.test(xml)) {
    throw new AppError(
      502,
      "invalid_nmap_xml",
      "nmap XML declares a DTD subset or entities; nmap never does, so the report is refused",
    );
  }
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch (err) {
    throw new AppError(
      502,
      "invalid_nmap_xml",
      `nmap XML could not be parsed: ${(err as Error).message}`,
    );
  }
  const run = doc.nmaprun;
  if (!isRecord(run)) {
    throw new AppError(502, "invalid_nmap_xml", "nmap XML has no <nmaprun> element");
  }
  const hosts: NmapHost[] = [];
  for (const host of asArray(run.host)) {
    if (!isRecord(host)) continue;
    const addresses = asArray(host.address).filter(isRecord);
    const ipAttr = addresses.find((a) => a.addrtype === "ipv4" || a.addrtype === "ipv6");
    const ip = ipAttr ? normalizeIp(text(ipAttr.addr)) : null;
    if (!ip) continue;
    const macAttr = addresses.find((a) => a.addrtype === "mac");
    const status = isRecord(host.status) ? text(host.status.state) : "";
    const portsNode = isRecord(host.ports) ? host.ports : {};
    const ports: NmapPort[] = [];
    for (const port of asArray(portsNode.port)) {
      if (!isRecord(port)) continue;
      const number = Number(text(port.portid));
      const proto = text(port.protocol);
      if (!Number.isInteger(number) || number < 0 || number > 65535 || !PROTOS.has(proto)) {
        continue;
      }
      const service = isRecord(port.service) ? port.service : {};
      ports.push({
        port: number,
        proto: proto as NmapPort["proto"],
        state: isRecord(port.state) ? text(port.state.state) : "",
        service: text(service.name),
        product: text(service.product),
        version: text(service.version),
      });
    }
    hosts.push({
      ip: ip.ip,
      status,
      mac: macAttr ? text(macAttr.addr) || null : null,
      ports,
    });
  }
  return hosts;
}

/** Attribute text: entities decoded, control characters dropped, length capped. */
function text(value: unknown): string {
  if (typeof value !== "string") return "";
  return decodeXmlEntities(value)
    // deno-lint-ignore no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, "")
    .slice(0, MAX_TEXT);
}

const PREDEFINED: Record<string, string> = {
  lt: "<",
  gt: ">",
  amp: "&",
  quot: '"',
  apos: "'",
};

/** Decodes only what XML itself defines; any other "&name;" stays as literal text. */
export function decodeXmlEntities(value: string): string {
  return value.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith("#")) {
      const code = ref[1] === "x" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return PREDEFINED[ref] ?? whole;
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
