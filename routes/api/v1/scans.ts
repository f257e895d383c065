// /api/v1/scans: ad-hoc checks of any in-scope address or prefix (ping, sweep, port scan) and the
// scan results every check writes (list, one, JSON/CSV export).
import { createRoute, z } from "@hono/zod-openapi";
import {
  getScanResult,
  listScanResults,
  requestPing,
  requestPortscanAsync,
  requestPortscanSync,
  requestSweep,
  scanResultCsv,
  SYNC_PORTSCAN_MAX_PORTS,
} from "@/services/operations/mod.ts";
import { DEFAULT_PAGE_LIMIT, keysetPage, pageResponse } from "@/web/api_paging.ts";
import { apiRouter } from "@/web/api_router.ts";
import {
  errorResponses,
  IdParam,
  idParam,
  intParam,
  jsonBody,
  jsonResponse,
  safeString,
  security,
} from "@/web/api_schemas.ts";
import { idCursor, ScanResultSchema, TaskStartedSchema } from "./_inventory_schemas.ts";

const api = apiRouter();
const tags = ["scans"];
const Target = safeString().min(1).max(64).openapi({ example: "127.0.0.1" });

api.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags,
    summary: "Scan results, newest first (`recent=N` is a shorthand for limit=N)",
    security,
    request: {
      query: z.object({
        recent: intParam(1, 1000).optional(),
        kind: z.enum(["ping", "sweep", "port_scan"]).optional(),
        target: safeString().max(64).optional(),
        host_id: idParam().optional(),
        source: z.enum(["adhoc", "schedule", "manual"]).optional(),
        limit: intParam(1, 1000).optional(),
        cursor: idCursor,
      }),
    },
    responses: { 200: pageResponse(ScanResultSchema, "Scan results"), ...errorResponses },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const limit = q.limit ?? q.recent ?? DEFAULT_PAGE_LIMIT;
    const rows = await listScanResults(c.get("deps").db, {
      kind: q.kind,
      target: q.target,
      hostId: q.host_id,
      source: q.source,
      before: q.cursor ? Number(q.cursor) : undefined,
      limit,
    });
    return c.json(keysetPage(rows, limit, (r) => String(r.id)), 200);
  },
);

api.openapi(
  createRoute({
    method: "get",
    path: "/{id}",
    tags,
    summary: "One scan result",
    security,
    request: { params: IdParam },
    responses: { 200: jsonResponse(ScanResultSchema, "The result"), ...errorResponses },
  }),
  async (c) => c.json(await getScanResult(c.get("deps").db, c.req.valid("param").id), 200),
);

api.openapi(
  createRoute({
    method: "get",
    path: "/{id}/export",
    tags,
    summary: "Download one result as JSON or CSV (one row per open port / answering address)",
    security,
    request: {
      params: IdParam,
      query: z.object({ format: z.enum(["json", "csv"]).default("json") }),
    },
    responses: {
      200: {
        description: "The result as a file",
        content: {
          "application/json": { schema: ScanResultSchema },
          "text/csv": { schema: safeString() },
        },
      },
      ...errorResponses,
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const { format } = c.req.valid("query");
    return exportResponse(await getScanResult(c.get("deps").db, id), format);
  },
);

/** The export file of one result (shared with the compat path). */
export function exportResponse(
  r: Awaited<ReturnType<typeof getScanResult>>,
  format: "json" | "csv",
): Response {
  const name = `scan-${r.id}.${format}`;
  const body = format === "csv" ? scanResultCsv(r) : JSON.stringify(r, null, 2);
  return new Response(body, {
    status: 200,
    headers: {
      "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/json",
      "content-disposition": `attachment; filename="${name}"`,
    },
  });
}

api.openapi(
  createRoute({
    method: "post",
    path: "/ping",
    tags,
    summary: "Ping one address now: fping, then ping, then TCP 22/80/443 (synchronous)",
    description: "Answers with the stored result; `summary.answered_by` says which method " +
      "answered. Targets outside the scan scope get 422.",
    security,
    request: { body: jsonBody(z.object({ target: Target })) },
    responses: { 200: jsonResponse(ScanResultSchema, "The result"), ...errorResponses },
  }),
  async (c) => {
    const ops = c.get("deps").services.operations;
    const r = await requestPing(ops, c.req.valid("json").target, c.get("user")?.username ?? null);
    return c.json(r, 200);
  },
);

api.openapi(
  createRoute({
    method: "post",
    path: "/sweep",
    tags,
    summary: "Sweep a CIDR (a bare address means its /24) as a tracked task",
    security,
    request: {
      body: jsonBody(z.object({
        target: Target.openapi({ example: "127.0.0.0/28" }),
        tcp_recheck: z.boolean().default(true).openapi({
          description: "Re-check addresses silent to ICMP over TCP 22/80/443 (slower, finds " +
            "hosts behind firewalls that drop ping)",
        }),
      })),
    },
    responses: { 202: jsonResponse(TaskStartedSchema, "Queued"), ...errorResponses },
  }),
  async (c) => {
    const ops = c.get("deps").services.operations;
    return c.json(
      await requestSweep(ops, c.req.valid("json").target, c.get("user")?.username ?? null, {
        tcpRecheck: c.req.valid("json").tcp_recheck,
      }),
      202,
    );
  },
);

api.openapi(
  createRoute({
    method: "post",
    path: "/portscan",
    tags,
    summary: `Port-scan one address: synchronous for at most ${SYNC_PORTSCAN_MAX_PORTS} ports ` +
      `(30 s deadline), or "async": true for a tracked task`,
    security,
    request: {
      body: jsonBody(z.object({
        target: Target,
        ports: safeString().max(2000).default("1-1024").openapi({ example: "22,80,443" }),
        async: z.boolean().default(false),
      })),
    },
    responses: {
      200: jsonResponse(ScanResultSchema, "The result (synchronous)"),
      202: jsonResponse(TaskStartedSchema, "Queued (async)"),
      ...errorResponses,
    },
  }),
  async (c) => {
    const ops = c.get("deps").services.operations;
    const b = c.req.valid("json");
    const user = c.get("user")?.username ?? null;
    if (b.async) return c.json(await requestPortscanAsync(ops, b.target, b.ports, user), 202);
    return c.json(await requestPortscanSync(ops, b.target, b.ports, user), 200);
  },
);

export default api;
