// Who is on the other end: the socket peer, or — behind a trusted proxy — the address that proxy
// saw (the right-most X-Forwarded-For entry not itself a trusted proxy) and its scheme.
import type { Context } from "hono";
import { getConnInfo } from "hono/deno";
import {
  cidrContains,
  parseCidr,
  type ParsedCidr,
  type ParsedIp,
  parseIpLenient,
  unmapIpv4,
} from "@/services/ipam/mod.ts";

type Range = ParsedCidr;

export interface ProxyTrust {
  /** TRUST_PROXY: honour forwarding headers at all. */
  enabled: boolean;
  /** TRUSTED_PROXIES as parsed ranges. */
  ranges: Range[];
}

/** Parses a CIDR list such as "127.0.0.0/8, ::1/128"; throws naming the bad entry. */
export function parseCidrList(text: string): Range[] {
  return text.split(",").map((s) => s.trim()).filter(Boolean).map((s) => {
    try {
      return parseCidr(s, { normalize: true });
    } catch {
      throw new RangeError(`invalid CIDR "${s}"`);
    }
  });
}

/** Parses an address, unwrapping IPv4-mapped IPv6 and a port or brackets a proxy may add. */
function parseAddr(text: string): ParsedIp | null {
  let s = text.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(s);
  if (bracketed) s = bracketed[1];
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(s)) s = s.slice(0, s.lastIndexOf(":"));
  const a = parseIpLenient(s, { anyIpv4Form: true });
  return a && unmapIpv4(a);
}

function inRanges(addr: ParsedIp | null, ranges: Range[]): boolean {
  return !!addr && ranges.some((net) => cidrContains(net, addr));
}

function peerAddress(c: Context): string | null {
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null; // in-process requests (tests, app.request) have no socket
  }
}

/**
 * The client address from an X-Forwarded-For chain: walking from the right, the first entry not
 * inside `ranges` (a spoofed left part is never reached). All trusted: the left-most one.
 */
export function clientFromForwarded(header: string, ranges: Range[]): string | null {
  const entries = header.split(",").map((s) => s.trim()).filter(Boolean);
  for (let i = entries.length - 1; i >= 0; i--) {
    const addr = parseAddr(entries[i]);
    if (!inRanges(addr, ranges)) return addr ? addr.ip : entries[i].slice(0, 64);
  }
  return entries.length ? parseAddr(entries[0])!.ip : null;
}

export interface RequestOrigin {
  /** The client address ("local" for in-process requests without a socket). */
  ip: string;
  /** Whether the browser reached us over HTTPS (directly or through the trusted proxy). */
  https: boolean;
}

export function requestOrigin(c: Context, trust: ProxyTrust): RequestOrigin {
  const peer = peerAddress(c);
  const directHttps = new URL(c.req.url).protocol === "https:";
  const viaProxy = trust.enabled && peer !== null && inRanges(parseAddr(peer), trust.ranges);
  if (!viaProxy) return { ip: peer ?? "local", https: directHttps };
  const forwarded = c.req.header("x-forwarded-for");
  const proto = c.req.header("x-forwarded-proto")?.split(",").pop()?.trim().toLowerCase();
  return {
    ip: (forwarded && clientFromForwarded(forwarded, trust.ranges)) || peer!,
    https: proto ? proto === "https" : directHttps,
  };
}
