// Comparisons whose duration does not depend on where two secrets first differ.

export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  // Length is not secret for fixed-size hashes and tokens; the contents are.
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

export function timingSafeEqualString(a: string, b: string): boolean {
  const enc = new TextEncoder();
  return timingSafeEqual(enc.encode(a), enc.encode(b));
}
