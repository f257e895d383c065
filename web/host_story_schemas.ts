// OpenAPI shapes of a host's story: GET /api/v1/hosts/{id}/timeline and /traffic.
import { z } from "@hono/zod-openapi";
import { safeString } from "@/services/input_rules.ts";

export const TimelineItemSchema = z.object({
  ts: safeString().openapi({ example: "2026-01-20T12:00:00.000Z" }),
  source: z.enum(["first_seen", "audit", "event", "indicator", "action"]),
  kind: safeString().openapi({
    description: "Event kind (up, down, port_opened…), indicator status, action run status, " +
      "edit (audit) or discovered/added (first_seen)",
    example: "down",
  }),
  summary: safeString().openapi({ example: "went down" }),
  username: safeString().nullable(),
  ref_id: z.number().int().openapi({ description: "Id of the row in its source" }),
  detail: z.unknown(),
}).openapi("HostTimelineItem");

export const TimelinePageSchema = z.object({
  items: z.array(TimelineItemSchema),
  next_cursor: safeString().nullable(),
}).openapi("HostTimelinePage");

export const HostTrafficSchema = z.object({
  ip: safeString(),
  from: safeString(),
  to: safeString(),
  bucket_ms: z.number().int(),
  totals: z.object({
    bytes_sent: z.number(),
    bytes_received: z.number(),
    flows: z.number(),
  }),
  split: z.object({ internal: z.number(), external: z.number() }).openapi({
    description: "Bytes exchanged with peers inside IPAM subnets, and with all others",
  }),
  peers: z.array(z.object({
    addr: safeString(),
    hostname: safeString().nullable(),
    internal: z.boolean(),
    bytes_sent: z.number(),
    bytes_received: z.number(),
    bytes: z.number(),
    flows: z.number(),
  })),
  ports: z.array(z.object({
    protocol: z.number().int(),
    protocol_name: safeString(),
    port: z.number().int(),
    bytes: z.number(),
    flows: z.number(),
  })),
  series: z.array(z.object({
    t: z.number(),
    internal: z.number(),
    outbound: z.number(),
    inbound: z.number(),
    external: z.number(),
  })).openapi({ description: "Bytes per bucket by direction (internal = both ends in IPAM)" }),
}).openapi("HostTraffic");
