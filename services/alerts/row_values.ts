// Small conversions shared by the alerts repos: SQL values to API values, and field errors.
import { AppError } from "@/services/errors.ts";

/** A timestamp column as ISO 8601 (null stays null). */
export const isoOrNull = (d: unknown): string | null =>
  d == null ? null : d instanceof Date ? d.toISOString() : String(d);

/** A non-null timestamp column as ISO 8601. */
export const iso = (d: unknown): string => isoOrNull(d) ?? "";

/** A nullable id or count column as a number. */
export const num = (v: unknown): number | null => (v == null ? null : Number(v));

/** 422 naming the body field, in the shape of the API's own validation errors. */
export const badField = (field: string, message: string) =>
  new AppError(422, "validation_failed", `invalid body: ${field}: ${message}`, {
    issues: [{ path: field, message }],
  });
