// Formats exact decimal counts (which may exceed 2^53) with thousands separators.

/** "18446744073709551614" → "18,446,744,073,709,551,614"; non-numeric text is returned as is. */
export function formatCount(decimal: string | number): string {
  const text = String(decimal);
  return /^\d+$/.test(text) ? text.replace(/\B(?=(\d{3})+(?!\d))/g, ",") : text;
}
