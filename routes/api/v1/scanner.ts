// /api/v1/scanner: the sweep run log, per-subnet schedule, alive counts and the roll-up job.
import { listResponse, pageResponse, wholeList } from "@/web/api_paging.ts";
import { createRoute, z } from "@hono/zod-openapi";
import { requireRole } from "@/services/auth/mod.ts";
import { notFound } from "@/services/errors.ts";
import { getSweepSubnet } from "@/services/ipam/mod.ts";
import { aliveNow, listRuns, requestRollup, subnetScanStatuses } from "@/services/sweeps/mod.ts";
import { apiRouter } from "@/web/api_router.ts";
import {
  errorResponses,
  idParam,
  intParam,
  jsonResponse,
  nullableRef,
  safeString,
  security,
} from "@/web/api_schemas.ts";

const api = apiRouter();
const tags = ["scanner"];

const RunSchema = z.object({
  id: z.number().int(),
  kind: z.enum(["subnet", "host"]),
  trigger: z.enum(["schedule", "manual"]),
  subnet_id: z.number().int().nullable(),
  host_id: z.number().int().nullable(),
  target: safeString(),
  started_at: safeString(),
  finished_at: safeString(),
  duration_ms: z.number().int(),
  method: safeString().nullable(),
  targets: z.number().int(),
  hosts_up: z.number().int(),
  hosts_down: z.number().int(),
  hosts_new: z.number().int(),
  flips: z.number().int(),
  errors: z.array(safeString()),
  notes: z.array(safeString()),
  status: z.enum(["succeeded", "failed", "aborted"]),
  instance: safeString().nullable(),
  task_id: safeString().nullable(),
}).openapi("ScanRun");

const SubnetStatusSchema = z.object({
  subnet_id: z.number().int(),
  cidr: safeString(),
  name: safeString().nullable(),
  scan_enabled: z.boolean(),
  interval_s: z.number().int(),
  next_due_at: safeString().nullable(),
  sweeping: z.boolean(),
  last_run: nullableRef(RunSchema),
}).openapi("SubnetScanStatus");

const optionalId = idParam().optional();

api.openapi(
  createRoute({
    method: "get",
    path: "/runs",
    tags,
    summary: "Sweep and ping runs, newest first",
    description: "Each run records start, duration, method, up/down counts and errors. Page with " +
      "`cursor` = the previous page's `next_cursor`.",
    security,
    request: {
      query: z.object({
        limit: intParam(1, 1000).default(100),
        cursor: safeString().regex(/^\d{1,15}$/, "must be a next_cursor value").optional(),
        subnet_id: optionalId,
        host_id: optionalId,
        kind: z.enum(["subnet", "host"]).optional(),
        status: z.enum(["succeeded", "failed", "aborted"]).optional(),
      }),
    },
    responses: {
      200: pageResponse(RunSchema, "Runs"),
      ...errorResponses,
    },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const page = await listRuns(c.get("deps").db, {
      limit: q.limit,
      beforeId: q.cursor ? Number(q.cursor) : undefined,
      subnetId: q.subnet_id,
      hostId: q.host_id,
      kind: q.kind,
      status: q.status,
    });
    return c.json(page, 200);
  },
);

api.openapi(
  createRoute({
    method: "get",
    path: "/subnets",
    tags,
    summary: "Per-subnet scan schedule: interval, next due time, running now, last run",
    security,
    responses: {
      200: listResponse(SubnetStatusSchema, "Schedule"),
      ...errorResponses,
    },
  }),
  async (c) => c.json(wholeList(await subnetScanStatuses(c.get("deps"))), 200),
);

api.openapi(
  createRoute({
    method: "get",
    path: "/alive",
    tags,
    summary: "How many hosts are up now, overall or inside one subnet (children included)",
    security,
    request: { query: z.object({ subnet_id: optionalId }) },
    responses: {
      200: jsonResponse(
        z.object({ alive: z.number().int(), subnet_id: z.number().int().nullable() }),
        "Count",
      ),
      ...errorResponses,
    },
  }),
  async (c) => {
    const deps = c.get("deps");
    const { subnet_id } = c.req.valid("query");
    let cidr: string | undefined;
    if (subnet_id !== undefined) {
      const s = await getSweepSubnet(deps.db, subnet_id);
      if (!s) throw notFound(`subnet ${subnet_id}`);
      cidr = s.cidr;
    }
    return c.json({ alive: await aliveNow(deps, cidr), subnet_id: subnet_id ?? null }, 200);
  },
);

api.openapi(
  createRoute({
    method: "post",
    path: "/rollup",
    tags,
    summary: "Roll history up now (admin): raw rows older than HISTORY_RAW_DAYS become hourly",
    description: "Also runs daily by itself. Returns a task; poll GET /api/v1/tasks/{task_id}.",
    security,
    responses: {
      202: jsonResponse(z.object({ task_id: safeString() }), "Roll-up queued"),
      ...errorResponses,
    },
  }),
  async (c) => {
    const user = c.get("user")!;
    requireRole(user, "admin");
    return c.json(await requestRollup(c.get("deps"), user), 202);
  },
);

export default api;
