// /api/v1/settings/scan-scope: the address ranges Pingfold may probe (admins only, audited).
import { createRoute, z } from "@hono/zod-openapi";
import { requireRole } from "@/services/auth/mod.ts";
import { readScanScopeSetting, saveScanScope } from "@/services/sweeps/mod.ts";
import { apiRouter } from "@/web/api_router.ts";
import { errorResponses, jsonBody, jsonResponse, safeString, security } from "@/web/api_schemas.ts";

const api = apiRouter();
api.use("*", async (c, next) => {
  requireRole(c.get("user")!, "admin");
  await next();
});

const tags = ["settings"];

const ScanScopeSchema = z.object({
  cidrs: z.array(safeString()).openapi({
    description: "Ranges that may be probed; nothing outside them ever is",
    example: ["127.0.0.0/8", "10.0.0.0/8", "fd00::/8"],
  }),
  source: z.enum(["settings", "env", "default"]).openapi({
    description: "settings: set here; env: SCAN_SCOPE; default: loopback and private ranges",
  }),
  fallback: z.array(safeString()).openapi({
    description: "What applies without a setting here (SCAN_SCOPE or the default)",
  }),
  updated_at: safeString().nullable(),
  updated_by: safeString().nullable(),
}).openapi("ScanScope");

api.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags,
    summary: "The scan scope in force and where it comes from",
    security,
    responses: { 200: jsonResponse(ScanScopeSchema, "The scan scope"), ...errorResponses },
  }),
  async (c) => {
    const { db, cfg } = c.get("deps");
    return c.json(await readScanScopeSetting(db, cfg.SCAN_SCOPE), 200);
  },
);

api.openapi(
  createRoute({
    method: "put",
    path: "/",
    tags,
    summary: "Set the scan scope (or `cidrs: null` to go back to SCAN_SCOPE / the default)",
    description: "Applies at once to every sweep, ping and port scan; subnets with scanning on " +
      "outside the new scope are skipped by the scheduler. Written to the audit log as " +
      "`settings.scan_scope` with the old and new ranges. Errors: 422 `invalid_scan_scope` " +
      "naming the entries that are not CIDRs.",
    security,
    request: {
      body: jsonBody(z.object({
        cidrs: z.array(safeString().max(64)).max(1000).nullable().openapi({
          description: "CIDRs or single addresses; an empty list allows nothing",
          example: ["127.0.0.0/8", "10.0.0.0/8", "198.51.100.0/24"],
        }),
      })),
    },
    responses: { 200: jsonResponse(ScanScopeSchema, "The new scan scope"), ...errorResponses },
  }),
  async (c) => {
    const { db, cfg } = c.get("deps");
    const user = c.get("user")!;
    const saved = await saveScanScope(db, cfg.SCAN_SCOPE, c.req.valid("json").cidrs, {
      username: user.username,
      clientIp: c.get("clientIp"),
    });
    return c.json(saved, 200);
  },
);

export default api;
