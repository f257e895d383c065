// The single place where errors become HTTP responses: JSON under /api, an HTML page elsewhere.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { AppError } from "@/services/errors.ts";
import type { AppEnv } from "./env.ts";
import { renderErrorPage } from "./render.tsx";
import { log } from "../services/logger.ts";

export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof HTTPException) {
    const code = err.status === 413 ? "payload_too_large" : `http_${err.status}`;
    return new AppError(err.status, code, err.message || "request rejected");
  }
  if (err instanceof SyntaxError) return new AppError(400, "malformed_json", "malformed JSON body");
  return new AppError(500, "internal", "internal error; see the server log");
}

export function wantsJson(c: Context): boolean {
  return c.req.path.startsWith("/api/") || c.req.path === "/health" ||
    c.req.path === "/openapi.json";
}

export function errorResponse(c: Context<AppEnv>, err: unknown): Response {
  const e = toAppError(err);
  if (e.status >= 500) {
    log.error("request failed", { path: c.req.path, error: String((err as Error)?.stack ?? err) });
  }
  const headers: Record<string, string> = {};
  if (e.status === 429 && (e.details as { retry_after?: number })?.retry_after) {
    headers["retry-after"] = String((e.details as { retry_after: number }).retry_after);
  }
  if (wantsJson(c)) {
    const body: Record<string, unknown> = { code: e.code, message: e.message };
    if (e.details !== undefined) body.details = e.details;
    return c.json({ error: body }, e.status as 400, headers);
  }
  return c.html(renderErrorPage(c, e.status, e.message), e.status as 400, headers);
}
