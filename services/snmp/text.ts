// SNMP answers are untrusted device strings: decode, strip control characters, cap, and derive a
// hostname a DNS field would accept.

/** DisplayString (SNMPv2-TC) is at most 255 octets; nothing longer is kept. */
export const MAX_SNMP_TEXT = 255;
const MAX_HOSTNAME = 253;
const MAX_LABEL = 63;

// C0/C1 controls and DEL, plus the invisible format characters that can disguise text:
// bidirectional overrides and isolates, zero-width characters, the BOM.
const CONTROL = /[\p{Cc}\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/gu;

/**
 * Turns an SNMP value (octets or text) into display text: UTF-8 decoded (bad bytes become U+FFFD),
 * control characters removed, whitespace runs collapsed to one space, trimmed, at most `max` code
 * points. Empty → null.
 */
export function cleanSnmpText(value: unknown, max = MAX_SNMP_TEXT): string | null {
  let text: string;
  if (value instanceof Uint8Array) {
    // Decoding more than 4 bytes per kept code point is never needed.
    text = new TextDecoder("utf-8", { fatal: false }).decode(value.subarray(0, max * 4));
  } else if (typeof value === "string") {
    text = value.slice(0, max * 4);
  } else {
    return null;
  }
  const clean = text.replace(CONTROL, " ").replace(/\s+/gu, " ").trim();
  if (!clean) return null;
  const points = [...clean];
  return points.length > max ? points.slice(0, max).join("").trimEnd() : clean;
}

/**
 * The hostname a sysName stands for: "Core Switch 1" → "Core-Switch-1", "fw01.example.net." →
 * "fw01.example.net". Anything but letters, digits, "_" and "-" inside a label becomes "-"; labels
 * are cut to 63 characters and the name to 253. Null when nothing usable is left.
 */
export function hostnameFromSysName(sysName: string | null): string | null {
  if (!sysName) return null;
  const labels = sysName.split(".")
    .map((label) =>
      label.replace(/[^\p{L}\p{N}_-]+/gu, "-").replace(/^-+|-+$/g, "").slice(0, MAX_LABEL)
        .replace(/-+$/, "")
    )
    .filter((label) => label.length > 0);
  let name = "";
  for (const label of labels) {
    const next = name ? `${name}.${label}` : label;
    if (next.length > MAX_HOSTNAME) break;
    name = next;
  }
  return name || null;
}
