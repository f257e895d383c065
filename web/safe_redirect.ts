// Where a login may send the browser next: only a path on this site, never another origin.

const MAX_NEXT = 2048;
const BASE = "http://pingfold.invalid";

/** True for a same-origin relative path such as `/subnets/3?tab=hosts`. */
export function isSafeNextPath(raw: string): boolean {
  if (raw.length === 0 || raw.length > MAX_NEXT) return false;
  // Every decoding of it must look harmless, so a later decoder cannot turn it into `//evil`.
  let text = raw;
  for (let level = 0; level < 4; level++) {
    if (!/^\/(?![/\\])/.test(text) && level === 0) return false;
    if (/\\|\p{Cc}|%2f|%5c/iu.test(text) || /^\s*[/\\]{2}/.test(text)) return false;
    if (!text.includes("%")) break;
    try {
      text = decodeURIComponent(text);
    } catch {
      return false;
    }
    if (level === 3) return false; // encoded four times over: no real link does that
  }
  try {
    return new URL(raw, BASE).origin === BASE;
  } catch {
    return false;
  }
}

/** `raw` when it is a safe next path, else the home page. */
export function safeNextPath(raw: string | undefined | null): string {
  return typeof raw === "string" && isSafeNextPath(raw) ? raw : "/";
}
