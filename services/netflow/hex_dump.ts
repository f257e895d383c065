// Hex renderings of export datagrams for DUMP_HEX logging: a compact one-line form for log
// fields and classic offset/hex/ASCII lines for the NetFlow log file.

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * The first `limit` bytes as space-separated hex pairs; when bytes were left out the text ends
 * with `… (+N bytes)` so a truncated dump is never mistaken for a short datagram.
 */
export function hexLine(bytes: Uint8Array, limit = bytes.length): string {
  const n = Math.max(0, Math.min(limit, bytes.length));
  const parts = new Array<string>(n);
  for (let i = 0; i < n; i++) parts[i] = HEX[bytes[i]];
  const rest = bytes.length - n;
  const text = parts.join(" ");
  return rest > 0 ? `${text}${n > 0 ? " " : ""}… (+${rest} bytes)` : text;
}

/** `xxd`-style lines (offset, 16 hex pairs, printable ASCII) of the whole buffer. */
export function hexDumpLines(bytes: Uint8Array): string[] {
  const lines: string[] = [];
  for (let off = 0; off < bytes.length; off += 16) {
    const row = bytes.subarray(off, Math.min(off + 16, bytes.length));
    let hex = "";
    let ascii = "";
    for (let i = 0; i < 16; i++) {
      if (i < row.length) {
        hex += HEX[row[i]];
        // Only printable ASCII: control bytes would corrupt the log line.
        ascii += row[i] >= 0x20 && row[i] < 0x7f ? String.fromCharCode(row[i]) : ".";
      } else {
        hex += "  ";
      }
      hex += i === 7 ? "  " : " ";
    }
    lines.push(`${off.toString(16).padStart(8, "0")}  ${hex} |${ascii}|`);
  }
  return lines;
}
