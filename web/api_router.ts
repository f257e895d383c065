// A router for one /api/v1 resource: zod-openapi with our error shape for invalid input.
import { OpenAPIHono } from "@hono/zod-openapi";
import { AppError } from "@/services/errors.ts";
import type { AppEnv } from "./env.ts";

export function apiRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      const issues = result.error.issues.map((i) => ({
        path: i.path.join("."),
        message: i.message,
      }));
      const where = result.target === "json" ? "body" : result.target;
      const first = issues[0];
      throw new AppError(
        422,
        "validation_failed",
        `invalid ${where}: ${first?.path ? `${first.path}: ` : ""}${first?.message ?? "invalid"}`,
        { issues },
      );
    },
  });
}

/** The shared error response schema for OpenAPI documentation. */
export { z } from "@hono/zod-openapi";
