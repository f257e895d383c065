// OpenAPI shapes of the IPAM API (documentation and first-pass type checks; input_schemas.ts has the rules).
import { z } from "@hono/zod-openapi";
import { intParam, safeString } from "@/services/input_rules.ts";

const nullableText = (description: string, example?: string) =>
  safeString().nullable().optional().openapi({ description, example });

export const UtilizationSchema = z.object({
  size: safeString().openapi({ description: "Addresses in the prefix", example: "256" }),
  usable: safeString().openapi({ description: "Addresses a host may use", example: "254" }),
  used: safeString().openapi({ example: "12" }),
  alive: safeString().openapi({ description: "Hosts discovery reports up", example: "9" }),
  free: safeString().openapi({ example: "242" }),
  percent_used: z.number().openapi({ example: 4.72 }),
}).openapi("Utilization", {
  description: "Exact counts as decimal strings (an IPv6 /64 has 2^64 addresses)",
});

export const SubnetSchema = z.object({
  id: z.number().int(),
  cidr: safeString().openapi({ example: "198.51.100.0/24" }),
  family: z.union([z.literal(4), z.literal(6)]),
  name: safeString().nullable(),
  description: safeString().nullable(),
  vlan: z.number().int().nullable(),
  tags: z.array(safeString()),
  location: safeString().nullable(),
  parent_id: z.number().int().nullable().openapi({
    description: "Most specific other subnet containing this one (derived)",
  }),
  scan_enabled: z.boolean(),
  scan_interval_s: z.number().int(),
  site: safeString().openapi({
    description: "The site whose scanners sweep this subnet (ROLE=scanner with that SITE)",
    example: "local",
  }),
  created_at: safeString(),
  updated_at: safeString(),
  utilization: UtilizationSchema.optional(),
  depth: z.number().int().optional().openapi({ description: "Nesting level in the list" }),
}).openapi("Subnet");

const subnetFields = {
  name: nullableText("Display name, ≤ 200 characters", "Servers"),
  description: nullableText("≤ 1000 characters"),
  vlan: z.number().int().nullable().optional().openapi({ description: "1-4094", example: 10 }),
  tags: z.array(safeString()).optional().openapi({ example: ["prod", "dc1"] }),
  location: nullableText("≤ 200 characters", "DC-1 row A"),
  scan_enabled: z.boolean().optional().openapi({ description: "Default false" }),
  scan_interval_s: z.number().int().optional().openapi({
    description:
      "Seconds between sweeps, 30-604800; default SCAN_SWEEP_INTERVAL_MINUTES × 60 (300)",
  }),
  site: safeString().optional().openapi({
    description: "Site whose scanners sweep it: 1-63 letters, digits, - or _; default local",
    example: "local",
  }),
  normalize: z.boolean().optional().openapi({
    description: "Accept host bits (10.0.0.5/24) and store the network (10.0.0.0/24) " +
      "instead of refusing with 422",
  }),
};

export const SubnetCreateBody = z.object({
  cidr: safeString().openapi({
    description: "IPv4 or IPv6 network/prefix; IPv6 is stored in canonical form",
    example: "198.51.100.0/24",
  }),
  ...subnetFields,
}).openapi("SubnetInput");

export const SubnetPatchBody = z.object({
  cidr: safeString().optional(),
  ...subnetFields,
  orphans: z.enum(["move_to_parent", "delete"]).optional().openapi({
    description: "With a new cidr: what to do with the subnet's hosts it leaves outside " +
      "(without it such a change is 409 `hosts_outside_cidr`)",
  }),
}).openapi("SubnetPatch");

export const HostSchema = z.object({
  id: z.number().int(),
  ip: safeString().openapi({ example: "198.51.100.10" }),
  family: z.union([z.literal(4), z.literal(6)]),
  subnet_id: z.number().int().nullable().openapi({
    description: "Most specific subnet containing ip (derived)",
  }),
  hostname: safeString().nullable(),
  hostname_override: safeString().nullable().openapi({
    description: "Name set by a person; wins over a discovered (PTR) hostname",
  }),
  description: safeString().nullable(),
  tags: z.array(safeString()),
  notes: safeString().nullable(),
  mac: safeString().nullable(),
  vendor: safeString().nullable(),
  first_seen_at: safeString().nullable(),
  last_seen_at: safeString().nullable(),
  created_at: safeString(),
  updated_at: safeString(),
  discovered: z.boolean(),
  kind: z.literal("host").openapi({
    description: "Tells host rows from gap rows in address lists",
  }),
  status: z.enum(["up", "down", "unknown"]),
  latency_ms: z.number().nullable(),
  status_since: safeString().nullable(),
}).openapi("Host", { description: "A host with its live status (every host answer has it)" });

const hostFields = {
  hostname: nullableText("DNS name", "web-01.example.com"),
  hostname_override: nullableText("Name that wins over the discovered one"),
  description: nullableText("≤ 1000 characters"),
  tags: z.array(safeString()).optional(),
  notes: nullableText("≤ 10000 characters"),
  mac: nullableText("Any common MAC notation; stored lowercase with colons", "00:00:5e:00:53:01"),
  allow_orphan: z.boolean().optional().openapi({
    description: "Allow an address outside every subnet (otherwise 422)",
  }),
};

export const HostCreateBody = z.object({
  ip: safeString().openapi({ example: "198.51.100.10" }),
  ...hostFields,
}).openapi("HostInput");

export const HostPatchBody = z.object({ ip: safeString().optional(), ...hostFields })
  .openapi("HostPatch");

export const GapRowSchema = z.object({
  kind: z.literal("gap"),
  first: safeString().openapi({ example: "198.51.100.15" }),
  last: safeString().openapi({ example: "198.51.100.200" }),
  count: safeString().openapi({ example: "186" }),
}).openapi("GapRow");

export const AddressRowSchema = z.union([HostSchema, GapRowSchema]).openapi("AddressRow");

export const ImportReportSchema = z.object({
  kind: z.enum(["hosts", "subnets"]),
  dry_run: z.boolean(),
  format: z.enum(["pingfold", "phpipam"]),
  ignored_columns: z.array(safeString()),
  summary: z.object({
    create: z.number().int(),
    update: z.number().int(),
    skip: z.number().int(),
    error: z.number().int(),
    folder: z.number().int().openapi({ description: "phpIPAM folder rows skipped" }),
    warning: z.number().int(),
  }),
  rows: z.array(z.object({
    line: z.number().int(),
    action: z.enum(["create", "update", "skip"]),
    key: safeString(),
    changes: z.array(safeString()).optional(),
    diff: z.array(z.object({ field: safeString(), from: safeString(), to: safeString() }))
      .optional().openapi({ description: "Per changed field: the stored and the imported value" }),
    reason: safeString().optional(),
  })),
  errors: z.array(z.object({ line: z.number().int(), message: safeString() })),
  warnings: z.array(z.object({ line: z.number().int(), message: safeString() })).openapi({
    description: "Rows imported with a change the file did not ask for (a phpIPAM hostname " +
      "that is not a DNS name kept in the description...)",
  }),
  skipped_folders: z.array(z.object({ line: z.number().int(), name: safeString() })).openapi({
    description: "phpIPAM folder rows: they group subnets and have no address, so they are " +
      "skipped, not errors",
  }),
  batches: z.object({
    rows: z.number().int().openapi({ description: "Data rows in the file" }),
    batch_size: z.number().int(),
    count: z.number().int().openapi({ description: "How many batches" }),
    list_limit: z.number().int().openapi({
      description: "errors, warnings, skipped_folders (and a dry run's rows) hold at most " +
        "this many entries; summary counts the whole file",
    }),
  }).optional().openapi({
    description: "Only for a file above the preview cap: it is (or was) imported in batches",
  }),
}).openapi("ImportReport");

export const ImportTaskAcceptedSchema = z.object({
  task_id: safeString(),
  task_url: safeString().openapi({ description: "GET it for progress, note and result" }),
  batch_size: z.number().int(),
}).openapi("ImportTaskAccepted");

/** `limit` (1-1000, default 100) and an opaque `cursor`, as every list takes. */
export const pagingQuery = {
  limit: intParam(1, 1000).optional().openapi({ example: 100 }),
  cursor: safeString().optional().openapi({ description: "next_cursor of the previous page" }),
};

export const boolQuery = (description: string) =>
  z.enum(["true", "false", "1", "0"]).optional().openapi({ description });

export const isTrue = (v: string | undefined) => v === "true" || v === "1";

/** Free text in a query string: bounded, and without NUL (PostgreSQL text cannot hold it). */
export const queryText = (max: number) =>
  safeString().max(max).refine((v) => !v.includes("\u0000"), "NUL characters are not allowed");
