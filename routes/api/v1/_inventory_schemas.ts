// OpenAPI schemas of the inventory and operations API (organizations, servers, indicators,
// actions, runs, scan results); the domain's plain zod inputs are reused for request bodies.
import { z } from "@hono/zod-openapi";
import { idParam, safeString } from "@/web/api_schemas.ts";
import { INDICATOR_STATUSES } from "@/services/inventory/mod.ts";
import { RUN_STATUSES } from "@/services/operations/mod.ts";

export const ContactOut = z.object({
  name: safeString(),
  email: safeString(),
  phone: safeString(),
});

export const OrganizationSchema = z.object({
  id: z.number().int(),
  name: safeString(),
  code: safeString().nullable(),
  contacts: z.array(ContactOut),
  notes: safeString(),
  tags: z.array(safeString()),
  server_count: z.number().int(),
  created_at: safeString(),
  updated_at: safeString(),
}).openapi("Organization");

export const ServerSchema = z.object({
  id: z.number().int(),
  name: safeString(),
  organization_id: z.number().int().nullable(),
  organization_name: safeString().nullable(),
  role: safeString(),
  os: safeString(),
  location: safeString(),
  rack: safeString(),
  serial: safeString(),
  notes: safeString(),
  tags: z.array(safeString()),
  addresses: z.array(z.object({
    host_id: z.number().int(),
    ip: safeString(),
    hostname: safeString().nullable(),
  })),
  created_at: safeString(),
  updated_at: safeString(),
}).openapi("Server");

export const ServerDetailSchema = ServerSchema.extend({
  addresses: z.array(z.object({
    host_id: z.number().int(),
    ip: safeString(),
    hostname: safeString().nullable(),
    status: z.enum(["up", "down", "unknown"]),
    latency_ms: z.number().nullable(),
    status_since: safeString().nullable(),
    open_ports: z.array(
      z.object({ port: z.number().int(), proto: safeString(), service: safeString() }),
    ),
    uptime_24h: z.number().nullable(),
  })),
}).openapi("ServerDetail");

export const IndicatorSchema = z.object({
  id: z.number().int(),
  host_id: z.number().int().nullable(),
  server_id: z.number().int().nullable(),
  name: safeString(),
  value: z.union([z.number(), safeString()]).nullable(),
  unit: safeString(),
  status: z.enum(INDICATOR_STATUSES),
  source: safeString(),
  thresholds: z.record(safeString(), z.number()).nullable(),
  created_at: safeString(),
  updated_at: safeString(),
}).openapi("Indicator");

export const IndicatorChangeSchema = z.object({
  ts: safeString(),
  value: z.union([z.number(), safeString()]).nullable(),
  status: z.enum(INDICATOR_STATUSES),
  source: safeString(),
}).openapi("IndicatorChange");

export const ActionSchema = z.object({
  id: z.number().int(),
  name: safeString(),
  description: safeString(),
  executable: safeString(),
  args: z.array(safeString()),
  timeout_s: z.number().int(),
  editors_may_run: z.boolean(),
  placeholders: z.array(safeString()),
  created_at: safeString(),
  updated_at: safeString(),
}).openapi("Action");

export const ActionRunSchema = z.object({
  id: z.number().int(),
  action_id: z.number().int().nullable(),
  action_name: safeString(),
  host_id: z.number().int().nullable(),
  target: safeString(),
  argv: z.array(safeString()),
  task_id: safeString().nullable(),
  username: safeString().nullable(),
  status: z.enum(RUN_STATUSES),
  exit_code: z.number().int().nullable(),
  stdout: safeString(),
  stderr: safeString(),
  stdout_truncated: z.boolean(),
  stderr_truncated: z.boolean(),
  created_at: safeString(),
  started_at: safeString().nullable(),
  finished_at: safeString().nullable(),
  duration_ms: z.number().int().nullable(),
}).openapi("ActionRun");

export const RunAcceptedSchema = z.object({
  task_id: safeString(),
  run_id: z.number().int(),
  deduped: z.boolean(),
}).openapi("RunAccepted");

export const OpenPortSchema = z.object({
  port: z.number().int(),
  proto: safeString(),
  state: safeString(),
  service: safeString(),
  product: safeString(),
  version: safeString(),
});

export const ScanResultSchema = z.object({
  id: z.number().int(),
  kind: z.enum(["ping", "sweep", "port_scan"]),
  target: safeString(),
  host_id: z.number().int().nullable(),
  source: z.enum(["adhoc", "schedule", "manual"]),
  started_at: safeString(),
  finished_at: safeString().nullable(),
  status: z.enum(["running", "succeeded", "failed", "aborted"]),
  summary: z.record(safeString(), z.unknown()),
  open_ports: z.array(OpenPortSchema),
  task_id: safeString().nullable(),
  username: safeString().nullable(),
}).openapi("ScanResult");

export const TaskStartedSchema = z.object({
  task_id: safeString(),
  target: safeString(),
  deduped: z.boolean(),
}).openapi("TaskStarted");

export const DeletedSchema = z.object({ deleted: z.boolean(), id: z.number().int() });

/** A row id as the path parameter `name`. */
export const pathIdParam = (name: string) =>
  idParam().openapi({
    param: { name, in: "path" },
    example: 1,
  });

/** Keyset cursor of id-ordered lists: the id of the last row of the previous page. */
export const idCursor = safeString().regex(
  /^\d{1,15}$/,
  "must be the next_cursor of a previous page",
)
  .optional();
