// The rules every text and number from outside meets before it reaches a domain or the database:
// no NUL bytes, well-formed UTF-16, integers in range and written as plain decimals.
import { z } from "zod";

/** Largest id a row can have (PostgreSQL `integer`). */
export const MAX_ID = 2_147_483_647;

/** What is wrong with `s` as text, or null when it is fine. */
export function textProblem(s: string): string | null {
  if (s.includes("\0")) return "must not contain NUL bytes";
  if (!s.isWellFormed()) return "must be valid Unicode text (no lone surrogates)";
  return null;
}

/** `z.string()` that refuses NUL bytes and lone surrogates; chain `.min()`, `.max()`… as usual. */
export function safeString() {
  return z.string()
    .refine((s) => !s.includes("\0"), "must not contain NUL bytes")
    .refine((s) => s.isWellFormed(), "must be valid Unicode text (no lone surrogates)");
}

const DECIMAL = /^-?(0|[1-9][0-9]*)$/;

/**
 * An integer from a query, path or form field: plain decimal digits only (no `+1`, `1e0`, `0x1`,
 * spaces or BOM), within [min, max]. Numbers (JSON) are accepted when they are such integers.
 */
export function intParam(min = 0, max = Number.MAX_SAFE_INTEGER) {
  return z.preprocess(
    (v) => (typeof v === "string" && DECIMAL.test(v) && v.length <= 20 ? Number(v) : v),
    z.number({ error: `must be a decimal integer from ${min} to ${max}` })
      .int(`must be a decimal integer from ${min} to ${max}`)
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}`),
  );
}

/** `raw` as a row id when it is plain decimal digits within 1 … MAX_ID, else null. */
export function strictId(raw: string | undefined): number | null {
  if (!raw || !/^[1-9][0-9]{0,9}$/.test(raw)) return null;
  const id = Number(raw);
  return id <= MAX_ID ? id : null;
}

/** A row id in a path or query: 1 … MAX_ID. */
export const idParam = () => intParam(1, MAX_ID);

/** A number from a JSON body: finite, within [min, max] (an int when `int`). */
export function boundedNumber(min: number, max: number) {
  return z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);
}
