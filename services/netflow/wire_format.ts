// Low-level readers for export packets: reduced-size unsigned integers, NTP timestamps and
// canonical address strings, written to allocate nothing but the resulting strings.

/** Reads a big-endian unsigned integer of 1..8 bytes (RFC 7011 §6.2 reduced-size encoding). */
export function readUnsigned(view: DataView, pos: number, len: number): number {
  switch (len) {
    case 1:
      return view.getUint8(pos);
    case 2:
      return view.getUint16(pos);
    case 4:
      return view.getUint32(pos);
    case 8:
      return view.getUint32(pos) * 4294967296 + view.getUint32(pos + 4);
    default: {
      let n = 0;
      for (let i = 0; i < len; i++) n = n * 256 + view.getUint8(pos + i);
      return n;
    }
  }
}

/** Seconds between the NTP epoch (1900) and the Unix epoch (1970). */
const NTP_UNIX_OFFSET_S = 2208988800;

/** Converts an NTP-format timestamp (dateTimeMicroseconds/Nanoseconds) to Unix milliseconds. */
export function readNtpMs(view: DataView, pos: number): number {
  const seconds = view.getUint32(pos);
  const fraction = view.getUint32(pos + 4);
  return (seconds - NTP_UNIX_OFFSET_S) * 1000 + Math.floor(fraction / 4294967.296);
}

const OCTETS: string[] = Array.from({ length: 256 }, (_, i) => String(i));

/** Dotted-quad text of the 4 bytes at `pos`. */
export function formatIpv4(bytes: Uint8Array, pos: number): string {
  return OCTETS[bytes[pos]] + "." + OCTETS[bytes[pos + 1]] + "." + OCTETS[bytes[pos + 2]] + "." +
    OCTETS[bytes[pos + 3]];
}

const groups = new Uint16Array(8);

/** RFC 5952 canonical text of the 16 bytes at `pos` (lower case, longest zero run as "::"). */
export function formatIpv6(bytes: Uint8Array, pos: number): string {
  let bestStart = -1;
  let bestLen = 0;
  let runStart = -1;
  for (let g = 0; g < 8; g++) {
    const value = (bytes[pos + 2 * g] << 8) | bytes[pos + 2 * g + 1];
    groups[g] = value;
    if (value === 0) {
      if (runStart < 0) runStart = g;
      const runLen = g - runStart + 1;
      if (runLen > bestLen) {
        bestLen = runLen;
        bestStart = runStart;
      }
    } else {
      runStart = -1;
    }
  }
  // A single zero group is not shortened (RFC 5952 §4.2.2).
  if (bestLen < 2) bestStart = -1;
  let text = "";
  for (let g = 0; g < 8; g++) {
    if (g === bestStart) {
      text += "::";
      g += bestLen - 1;
      continue;
    }
    if (text.length > 0 && !text.endsWith(":")) text += ":";
    text += groups[g].toString(16);
  }
  return text;
}

/** Text of a 4- or 16-byte address field, "" for any other length. */
export function formatAddress(bytes: Uint8Array, pos: number, len: number): string {
  if (len === 4) return formatIpv4(bytes, pos);
  if (len === 16) return formatIpv6(bytes, pos);
  return "";
}
