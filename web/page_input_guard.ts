// The HTML forms' share of the input rules: a form field holding NUL bytes or lone surrogates is
// refused with a 422 page naming the field (the API's zod schemas apply the same rules through
// safeString()). Page query strings are filters that their pages clean up and tolerate instead.
import type { MiddlewareHandler } from "hono";
import { AppError } from "@/services/errors.ts";
import { textProblem } from "@/services/input_rules.ts";
import type { AppEnv } from "./env.ts";

const FORM_TYPES = /^(application\/x-www-form-urlencoded|multipart\/form-data)/;

function check(where: string, name: string, value: string) {
  const problem = textProblem(name) ?? textProblem(value);
  if (problem) {
    const label = textProblem(name) ? "a field name" : JSON.stringify(name.slice(0, 60));
    throw new AppError(422, "validation_failed", `invalid ${where}: ${label}: ${problem}`, {
      issues: [{ path: name.slice(0, 60), message: problem }],
    });
  }
}

export function pageInputGuard(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.path.startsWith("/api/")) return next();
    if (FORM_TYPES.test(c.req.header("content-type") ?? "") && c.req.method !== "GET") {
      const form = await c.req.parseBody({ all: true });
      for (const [name, value] of Object.entries(form)) {
        for (const v of Array.isArray(value) ? value : [value]) {
          if (typeof v === "string") check("form", name, v);
        }
      }
    }
    return next();
  };
}
