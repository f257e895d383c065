// OpenAPI/zod schemas of the alerts API (targets, rules, silences, deliveries, events).
import { safeString } from "@/web/api_schemas.ts";
import { z } from "@hono/zod-openapi";
import { EVENT_KINDS, SILENCE_KINDS, TARGET_KINDS } from "@/services/alerts/mod.ts";

const Ref = z.object({ id: z.number().int(), name: safeString().nullable() });

export const AlertEventSchema = z.object({
  id: z.number().int().nullable().openapi({ description: "Event id; null for test deliveries" }),
  kind: z.enum([...EVENT_KINDS, "test"]),
  ts: safeString().openapi({ example: "2026-12-01T10:00:00.000Z" }),
  summary: safeString().openapi({
    example: "db1 (10.0.0.5) is down in lab 10.0.0.0/24 (2 missed checks)",
  }),
  subnet: z.object({ id: z.number().int(), cidr: safeString(), name: safeString().nullable() })
    .nullable(),
  host: z.object({
    id: z.number().int(),
    ip: safeString(),
    hostname: safeString().nullable(),
    tags: z.array(safeString()),
    url: safeString(),
  }).nullable(),
  server: Ref.nullable(),
  organization: Ref.nullable(),
  detail: z.record(safeString(), z.unknown()).openapi({
    description: "Kind-specific fields: host_down {misses}, host_up {down_for_s, misses}, " +
      "port_* {port, proto, service, product, version}, service_changed {port, proto, from, to}, " +
      "indicator_status {indicator, status, previous_status, value, unit}, scan_failing " +
      "{scan, target, failures, last_error}, exporter_silent {exporter, last_seen_at, silent_for_s}",
  }),
  url: safeString(),
  version: z.literal(1),
}).openapi("AlertEvent");

const name = safeString().trim().min(1).max(100);
const tag = safeString().trim().min(1).max(64);
const id = z.number().int().positive();

export const TargetSchema = z.object({
  id: z.number().int(),
  name: safeString(),
  kind: z.enum(TARGET_KINDS),
  url: safeString().openapi({ description: "Shown in full to admins; others see the origin only" }),
  enabled: z.boolean(),
  has_secret: z.literal(true),
  created_at: safeString(),
  updated_at: safeString(),
}).openapi("AlertTarget");

const secret = safeString().min(8).max(200).openapi({
  description: "Write-only: signs every request; never returned (on create, omitted → one is " +
    "generated and returned once as `secret`)",
});

export const TargetCreate = z.object({
  name,
  kind: z.enum(TARGET_KINDS),
  url: safeString().trim().min(1).max(2000).openapi({
    example: "https://hooks.example.net/pingfold",
    description: "http(s) URL; for `email`, comma-separated addresses",
  }),
  secret: secret.optional(),
  enabled: z.boolean().optional(),
}).strict().openapi("AlertTargetCreate");

export const TargetPatch = TargetCreate.partial().strict().openapi("AlertTargetPatch");

export const RuleSchema = z.object({
  id: z.number().int(),
  name: safeString(),
  enabled: z.boolean(),
  events: z.array(z.enum(EVENT_KINDS)),
  subnet_id: z.number().int().nullable(),
  tag: safeString().nullable(),
  host_id: z.number().int().nullable(),
  server_id: z.number().int().nullable(),
  down_after: z.number().int(),
  flap_window_s: z.number().int(),
  target_ids: z.array(z.number().int()),
  created_at: safeString(),
  updated_at: safeString(),
}).openapi("AlertRule");

export const RuleCreate = z.object({
  name,
  enabled: z.boolean().optional(),
  events: z.array(z.enum(EVENT_KINDS)).min(1).max(EVENT_KINDS.length),
  subnet_id: id.nullable().optional(),
  tag: tag.nullable().optional(),
  host_id: id.nullable().optional(),
  server_id: id.nullable().optional(),
  down_after: z.number().int().min(1).max(100).optional().openapi({
    description: "host_down is sent after this many consecutive missed checks (default 2)",
  }),
  flap_window_s: z.number().int().min(0).max(604800).optional().openapi({
    description: "At most one down/up pair per host per this many seconds (default 900; 0 off)",
  }),
  target_ids: z.array(id).min(1).max(50),
}).strict().openapi("AlertRuleCreate");

export const RulePatch = RuleCreate.partial().strict().openapi("AlertRulePatch");

export const SilenceSchema = z.object({
  id: z.number().int(),
  kind: z.enum(SILENCE_KINDS),
  host_id: z.number().int().nullable(),
  subnet_id: z.number().int().nullable(),
  tag: safeString().nullable(),
  starts_at: safeString().nullable(),
  ends_at: safeString().nullable(),
  daily_from: safeString().nullable(),
  daily_to: safeString().nullable(),
  time_zone: safeString(),
  reason: safeString(),
  created_at: safeString(),
}).openapi("AlertSilence");

export const SilenceCreate = z.object({
  kind: z.enum(SILENCE_KINDS).openapi({
    description: "mute: until ends_at; maintenance: starts_at–ends_at; quiet: daily " +
      "daily_from–daily_to in time_zone",
  }),
  host_id: id.nullable().optional(),
  subnet_id: id.nullable().optional(),
  tag: tag.nullable().optional(),
  starts_at: safeString().max(40).nullable().optional(),
  ends_at: safeString().max(40).nullable().optional(),
  daily_from: safeString().max(5).nullable().optional().openapi({ example: "22:00" }),
  daily_to: safeString().max(5).nullable().optional().openapi({ example: "07:00" }),
  time_zone: safeString().max(64).optional().openapi({ example: "Europe/Berlin" }),
  reason: safeString().max(500).optional(),
}).strict().openapi("AlertSilenceCreate");

export const DeliverySchema = z.object({
  id: z.number().int(),
  uuid: safeString().openapi({ description: "The idempotency key sent as X-Pingfold-Delivery" }),
  event_id: z.number().int().nullable(),
  target_id: z.number().int(),
  rule_id: z.number().int().nullable(),
  kind: safeString(),
  status: z.enum(["queued", "sending", "succeeded", "failed"]),
  attempts: z.number().int(),
  max_attempts: z.number().int(),
  next_attempt_at: safeString(),
  last_status: z.number().int().nullable(),
  last_error: safeString().nullable(),
  latency_ms: z.number().int().nullable(),
  created_at: safeString(),
  updated_at: safeString(),
  succeeded_at: safeString().nullable(),
}).openapi("AlertDelivery");
