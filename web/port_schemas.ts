// OpenAPI shapes of the port-scan API: ports, scans, snapshots, services and stats.
import { z } from "@hono/zod-openapi";
import { intParam, safeString } from "@/services/input_rules.ts";

const banner = (description: string, example: string) =>
  safeString().openapi({
    description: `${description}. From the network: returned verbatim, escape before display`,
    example,
  });

export const PortSchema = z.object({
  host_id: z.number().int(),
  scan_id: z.number().int(),
  port: z.number().int().openapi({ example: 443 }),
  proto: safeString().openapi({ example: "tcp" }),
  state: safeString().openapi({
    description: "open, closed, filtered, open|filtered, …",
    example: "open",
  }),
  service: banner('Service name as nmap identified it ("" when unknown)', "https"),
  product: banner("Product from version detection", "nginx"),
  version: banner("Version from version detection", "1.24.0"),
  probed: z.boolean().openapi({
    description: "The service came from version detection (-sV), not the port-number table",
  }),
  current: z.boolean().openapi({ description: "The latest observation of this port" }),
  scanned_at: safeString().openapi({ description: "When the scan that saw it finished" }),
}).openapi("Port");

export const PortScanSchema = z.object({
  id: z.number().int(),
  host_id: z.number().int().nullable().openapi({ description: "null once the host is deleted" }),
  target: safeString().openapi({ example: "198.51.100.10" }),
  started_at: safeString(),
  finished_at: safeString(),
  duration_ms: z.number().int(),
  args: z.array(safeString()).openapi({ example: ["-Pn", "-T3", "--top-ports", "1000", "-sT"] }),
  status: z.enum(["succeeded", "failed", "aborted"]),
  error: safeString().nullable(),
  trigger: z.enum(["schedule", "manual"]),
  batch_id: safeString().nullable().openapi({ description: "Hosts scanned by one nmap run" }),
  batch_size: z.number().int(),
  open_ports: z.number().int(),
  changes: z.number().int().openapi({ description: "Port events this scan recorded" }),
  instance: safeString().nullable(),
  task_id: safeString().nullable(),
}).openapi("PortScan");

export const PortSnapshotSchema = PortScanSchema.extend({ ports: z.array(PortSchema) })
  .openapi("PortSnapshot");

export const ServiceSummarySchema = z.object({
  service: banner('Service name ("" = unidentified)', "http"),
  hosts: z.number().int(),
  open_ports: z.number().int(),
  ports: z.array(z.number().int()).openapi({ description: "Distinct ports (at most 50)" }),
  products: z.array(safeString()).openapi({ description: "Distinct products (at most 20)" }),
}).openapi("ServiceSummary");

export const ServiceLocationSchema = z.object({
  host_id: z.number().int(),
  ip: safeString(),
  hostname: safeString().nullable(),
  hostname_override: safeString().nullable(),
  port: z.number().int(),
  proto: safeString(),
  service: banner("Service name", "http"),
  product: banner("Product", "nginx"),
  version: banner("Version", "1.24.0"),
  scanned_at: safeString(),
}).openapi("ServiceLocation");

export const StatsSchema = z.object({
  hosts: z.number().int(),
  hosts_discovered: z.number().int(),
  subnets: z.number().int(),
  alive: z.number().int().openapi({ description: "Hosts up right now" }),
  open_ports: z.number().int().openapi({ description: "Open ports in the current snapshots" }),
  hosts_with_open_ports: z.number().int(),
  scans: z.object({
    sweeps_total: z.number().int(),
    sweeps_24h: z.number().int(),
    portscans_total: z.number().int(),
    portscans_24h: z.number().int(),
    portscans_failed_24h: z.number().int(),
    last_portscan_at: safeString().nullable(),
  }),
  top_open_ports: z.array(z.object({
    port: z.number().int(),
    proto: safeString(),
    service: safeString().openapi({ description: "The most common service name on it" }),
    hosts: z.number().int(),
  })),
  top_services: z.array(z.object({
    service: safeString(),
    hosts: z.number().int(),
    open_ports: z.number().int(),
  })),
  generated_at: safeString(),
}).openapi("Stats");

export const TaskAcceptedSchema = z.object({ task_id: safeString() });

/** "1"/"true" or "0"/"false" in a query string. */
export const flagQuery = (description: string) =>
  z.enum(["true", "false", "1", "0"]).optional().openapi({ description });
export const isOn = (v: string | undefined) => v === "true" || v === "1";

export const cursorOf = (valid: (c: string) => boolean) =>
  safeString().max(500).refine(valid, "unknown cursor; pass a next_cursor value").optional()
    .openapi({ description: "next_cursor of the previous page" });

export const limitQuery = (def: number) => intParam(1, 1000).default(def).openapi({ example: def });
