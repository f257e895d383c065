// Runs the IPAM zod schemas on API and form input, with the app's 422 error shape and per-field messages.
import type { z } from "zod";
import { AppError } from "@/services/errors.ts";

export interface Issue {
  path: string;
  message: string;
}

/** Path of the first string holding a NUL character (PostgreSQL text cannot store one). */
export function findNul(value: unknown, path = ""): string | null {
  if (typeof value === "string") return value.includes("\u0000") ? path || "(value)" : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findNul(value[i], path ? `${path}.${i}` : String(i));
      if (hit) return hit;
    }
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      const hit = findNul(v, path ? `${path}.${k}` : k);
      if (hit) return hit;
    }
  }
  return null;
}

function issuesOf(error: z.ZodError): Issue[] {
  return error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
}

/** One message per top-level field (the first issue wins), for forms that show errors inline. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of issuesOf(error)) {
    const field = i.path.split(".")[0] || "_";
    out[field] ??= i.message;
  }
  return out;
}

/**
 * Parses `value` with `schema` or throws 422 `validation_failed` shaped like the router's own
 * validation errors: `invalid body: cidr: invalid CIDR "10.0.0.300/24": octet 300 > 255`.
 */
export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where = "body",
): z.output<S> {
  const nul = findNul(value);
  if (nul) {
    throw new AppError(
      422,
      "validation_failed",
      `invalid ${where}: ${nul}: NUL characters are not allowed`,
      { issues: [{ path: nul, message: "NUL characters are not allowed" }] },
    );
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = issuesOf(result.error);
  const first = issues[0];
  throw new AppError(
    422,
    "validation_failed",
    `invalid ${where}: ${first.path ? `${first.path}: ` : ""}${first.message}`,
    { issues },
  );
}
