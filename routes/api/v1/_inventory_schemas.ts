// OpenAPI schemas of the inventory and operations API (organizations, servers, indicators,
// actions, runs, scan results); the domain's plain zod inputs are reused for request bodies.
import { z } from "@hono/zod-openapi";
import { idParam } from "@/web/api_schemas.ts";
import { INDICATOR_STATUSES } from "@/services/inventory/mod.ts";
import { RUN_STATUSES } from "@/services/operations/mod.ts";

export const ContactOut = z.object({ name: z.string(), email: z.string(), phone: z.string() });

export const OrganizationSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  code: z.string().nullable(),
  contacts: z.array(ContactOut),
  notes: z.string(),
  tags: z.array(z.string()),
  server_count: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
}).openapi("Organization");

export const ServerSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  organization_id: z.number().int().nullable(),
  organization_name: z.string().nullable(),
  role: z.string(),
  os: z.string(),
  location: z.string(),
  rack: z.string(),
  serial: z.string(),
  notes: z.string(),
  tags: z.array(z.string()),
  addresses: z.array(z.object({
    host_id: z.number().int(),
    ip: z.string(),
    hostname: z.string().nullable(),
  })),
  created_at: z.string(),
  updated_at: z.string(),
}).openapi("Server");

export const ServerDetailSchema = ServerSchema.extend({
  addresses: z.array(z.object({
    host_id: z.number().int(),
    ip: z.string(),
    hostname: z.string().nullable(),
    status: z.enum(["up", "down", "unknown"]),
    latency_ms: z.number().nullable(),
    status_since: z.string().nullable(),
    open_ports: z.array(
      z.object({ port: z.number().int(), proto: z.string(), service: z.string() }),
    ),
    uptime_24h: z.number().nullable(),
  })),
}).openapi("ServerDetail");

export const IndicatorSchema = z.object({
  id: z.number().int(),
  host_id: z.number().int().nullable(),
  server_id: z.number().int().nullable(),
  name: z.string(),
  value: z.union([z.number(), z.string()]).nullable(),
  unit: z.string(),
  status: z.enum(INDICATOR_STATUSES),
  source: z.string(),
  thresholds: z.record(z.string(), z.number()).nullable(),
  created_at: z.string(),
  updated_at: z.string(),
}).openapi("Indicator");

export const IndicatorChangeSchema = z.object({
  ts: z.string(),
  value: z.union([z.number(), z.string()]).nullable(),
  status: z.enum(INDICATOR_STATUSES),
  source: z.string(),
}).openapi("IndicatorChange");

export const ActionSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string(),
  executable: z.string(),
  args: z.array(z.string()),
  timeout_s: z.number().int(),
  editors_may_run: z.boolean(),
  placeholders: z.array(z.string()),
  created_at: z.string(),
  updated_at: z.string(),
}).openapi("Action");

export const ActionRunSchema = z.object({
  id: z.number().int(),
  action_id: z.number().int().nullable(),
  action_name: z.string(),
  host_id: z.number().int().nullable(),
  target: z.string(),
  argv: z.array(z.string()),
  task_id: z.string().nullable(),
  username: z.string().nullable(),
  status: z.enum(RUN_STATUSES),
  exit_code: z.number().int().nullable(),
  stdout: z.string(),
  stderr: z.string(),
  stdout_truncated: z.boolean(),
  stderr_truncated: z.boolean(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  duration_ms: z.number().int().nullable(),
}).openapi("ActionRun");

export const RunAcceptedSchema = z.object({
  task_id: z.string(),
  run_id: z.number().int(),
  deduped: z.boolean(),
}).openapi("RunAccepted");

export const OpenPortSchema = z.object({
  port: z.number().int(),
  proto: z.string(),
  state: z.string(),
  service: z.string(),
  product: z.string(),
  version: z.string(),
});

export const ScanResultSchema = z.object({
  id: z.number().int(),
  kind: z.enum(["ping", "sweep", "port_scan"]),
  target: z.string(),
  host_id: z.number().int().nullable(),
  source: z.enum(["adhoc", "schedule", "manual"]),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  status: z.enum(["running", "succeeded", "failed", "aborted"]),
  summary: z.record(z.string(), z.unknown()),
  open_ports: z.array(OpenPortSchema),
  task_id: z.string().nullable(),
  username: z.string().nullable(),
}).openapi("ScanResult");

export const TaskStartedSchema = z.object({
  task_id: z.string(),
  target: z.string(),
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
export const idCursor = z.string().regex(/^\d{1,15}$/, "must be the next_cursor of a previous page")
  .optional();
