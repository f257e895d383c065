// OpenAPI shapes of /api/v1/netflow (documentation and response checks).
import { z } from "@hono/zod-openapi";
import { safeString } from "@/services/input_rules.ts";
import { COUNTER_NAMES, WINDOW_PRESETS } from "@/services/netflow/mod.ts";

export const WindowQuery = {
  window: safeString().optional().openapi({
    description: `${Object.keys(WINDOW_PRESETS).join(", ")} (ending now; default 1h), or ` +
      "custom with from/to",
    example: "1h",
  }),
  from: safeString().optional().openapi({
    description: "Custom window start, ISO 8601",
    example: "2024-05-01T10:00:00Z",
  }),
  to: safeString().optional().openapi({ description: "Custom window end, ISO 8601; default now" }),
};

export const WindowSchema = z.object({
  key: safeString().openapi({ example: "1h" }),
  from: safeString(),
  to: safeString(),
  bucket_ms: z.number().int(),
}).openapi("TrafficWindow");

const num = z.number();

export const CountersSchema = z.object(
  Object.fromEntries(COUNTER_NAMES.map((k) => [k, num])) as Record<string, typeof num>,
).openapi("NetflowCounters", {
  description: "Since the collector started (counters_since). records_decoded = " +
    "records_inserted + queue_drops + insert_failed once nothing is in flight.",
});

export const ExporterSchema = z.object({
  exporter: safeString().openapi({
    example: "198.51.100.1",
    description: `"*" = exporters over the limit`,
  }),
  first_seen_at: safeString().nullable(),
  last_seen_at: safeString().nullable(),
  records_stored: z.number().int(),
  collector: safeString().nullable(),
  live: z.boolean(),
  // A union, not .nullable(): that renders as allOf [$ref, ...], which refuses null.
  counters: z.union([CountersSchema, z.null()]),
  counters_at: safeString().nullable(),
  counters_since: safeString().nullable(),
}).openapi("NetflowExporter");

export const CollectorSchema = z.object({
  state: z.enum(["listening", "restarting", "stopped", "failed"]).openapi({
    description: "restarting: the receive worker died and is being started again",
  }),
  error: safeString().optional(),
  name: safeString(),
  bind: safeString(),
  port: z.number().int(),
  started_at: safeString(),
  recv_buffer: z.object({
    requested: z.number(),
    effective: z.number().nullable(),
    note: safeString().optional(),
  }).nullable(),
  persist: z.boolean(),
  queue: z.number().int(),
  queue_max: z.number().int(),
  spool_files: z.number().int().openapi({
    description: "Receive batches in the on-disk spool (waiting, or handed on and not yet stored)",
  }),
  spool_bytes: z.number().int(),
  spool_datagrams: z.number().int(),
  spool_max_bytes: z.number().int(),
  spool_refused_datagrams: z.number().int().openapi({
    description: "Datagrams refused because the spool was full (NETFLOW_SPOOL_MAX_BYTES)",
  }),
  inserts: z.number().int(),
  last_insert_ms: z.number(),
  insert_retries: z.number().int(),
  datagrams: z.number().int(),
  datagrams_refused: z.number().int().openapi({
    description: "Datagrams from exporters outside NETFLOW_ALLOWED_EXPORTERS (dropped)",
  }),
  receive_errors: z.number().int(),
  kernel_drops: z.number().int().openapi({
    description: "Datagrams the kernel dropped: the socket's receive buffer was full",
  }),
  worker_restarts: z.number().int(),
  log_file_dropped: z.number().int(),
  exporters: z.number().int(),
  totals: CountersSchema,
}).openapi("NetflowCollector");

const volume = { bytes: num, packets: num, flows: num };

export const TopItemSchema = z.object({
  ...volume,
  addr: safeString().optional(),
  hostname: safeString().nullable().optional(),
  subnet_id: z.number().int().nullable().optional(),
  subnet: safeString().nullable().optional(),
  subnet_name: safeString().nullable().optional(),
  bytes_sent: num.optional(),
  bytes_received: num.optional(),
  src_addr: safeString().optional(),
  dst_addr: safeString().optional(),
  src_hostname: safeString().nullable().optional(),
  dst_hostname: safeString().nullable().optional(),
  protocol: z.number().int().optional(),
  protocol_name: safeString().optional(),
  port: z.number().int().optional(),
}).openapi("NetflowTopItem", {
  description: "Hosts (by=src|dst|host) carry addr/hostname/subnet; by=pair src/dst; " +
    "by=port protocol/port. Bytes and packets are estimated (sampling applied).",
});

export const MatrixSchema = z.object({
  window: WindowSchema,
  nodes: z.array(z.object({
    id: safeString().openapi({ example: "subnet:3" }),
    kind: z.enum(["subnet", "other", "external"]),
    subnet_id: z.number().int().nullable(),
    cidr: safeString().nullable(),
    name: safeString().nullable(),
    label: safeString(),
    bytes_out: num,
    bytes_in: num,
  })),
  edges: z.array(z.object({ src: safeString(), dst: safeString(), ...volume })),
}).openapi("NetflowMatrix");

export const SeriesSchema = z.object({
  window: WindowSchema,
  items: z.array(z.object({
    t: safeString(),
    internal: num,
    outbound: num,
    inbound: num,
    external: num,
  })),
}).openapi("NetflowSeries");

export const FlowSchema = z.object({
  id: z.number().int(),
  exporter: safeString(),
  version: z.number().int(),
  source_id: z.number().int(),
  src_addr: safeString().nullable(),
  dst_addr: safeString().nullable(),
  src_port: z.number().int(),
  dst_port: z.number().int(),
  protocol: z.number().int(),
  bytes: num,
  packets: num,
  start_at: safeString(),
  end_at: safeString(),
  input_if: z.number().int(),
  output_if: z.number().int(),
  tcp_flags: z.number().int(),
  sampling_interval: num,
}).openapi("NetflowFlow");
