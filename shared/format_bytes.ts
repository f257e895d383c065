// Byte counts for people: SI units as network tools show traffic (1 kB = 1000 B).
const UNITS = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];

/** 0 → "0 B", 1234 → "1.2 kB", 5_000_000 → "5.0 MB". */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 1000) return `${Number.isFinite(n) ? Math.round(n) : 0} B`;
  let u = 0;
  let v = n;
  while (v >= 1000 && u < UNITS.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${UNITS[u]}`;
}
