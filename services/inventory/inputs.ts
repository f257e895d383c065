// Validated input of organizations, servers and indicators (plain zod; routes reuse these).
import { z } from "zod";

const text = (max: number) =>
  z.string().max(max).refine((s) => !s.includes("\0"), "must not contain NUL characters");
const tags = z.array(text(64).trim().min(1)).max(50).transform((t) => [...new Set(t)]);

export const ContactSchema = z.object({
  name: text(200).trim().default(""),
  email: text(320).trim().default(""),
  phone: text(64).trim().default(""),
}).refine((c) => c.email === "" || /^[^\s@]+@[^\s@]+$/.test(c.email), {
  message: "email must look like name@example.org",
  path: ["email"],
});

export const OrganizationInputSchema = z.object({
  name: text(200).trim().min(1, "name is required"),
  code: text(64).trim().min(1).nullable().optional(),
  contacts: z.array(ContactSchema).max(50).default([]),
  notes: text(10_000).default(""),
  tags: tags.default([]),
});
export const OrganizationPatchSchema = OrganizationInputSchema.partial();
export type OrganizationInput = z.infer<typeof OrganizationInputSchema>;
export type OrganizationPatch = z.infer<typeof OrganizationPatchSchema>;

export const ServerInputSchema = z.object({
  name: text(200).trim().min(1, "name is required"),
  organization_id: z.number().int().positive().nullable().default(null),
  role: text(200).default(""),
  os: text(200).default(""),
  location: text(200).default(""),
  rack: text(100).default(""),
  serial: text(200).default(""),
  notes: text(10_000).default(""),
  tags: tags.default([]),
  /** Addresses to link (existing hosts by address; unknown ones are created). */
  addresses: z.array(text(64).trim().min(1)).max(256).optional(),
});
export const ServerPatchSchema = ServerInputSchema.partial();
export type ServerInput = z.infer<typeof ServerInputSchema>;
export type ServerPatch = z.infer<typeof ServerPatchSchema>;

export const INDICATOR_STATUSES = ["ok", "warning", "critical", "unknown"] as const;
export type IndicatorStatus = (typeof INDICATOR_STATUSES)[number];

export const ThresholdsSchema = z.object({
  warning_above: z.number().finite().optional(),
  critical_above: z.number().finite().optional(),
  warning_below: z.number().finite().optional(),
  critical_below: z.number().finite().optional(),
}).strict();
export type Thresholds = z.infer<typeof ThresholdsSchema>;

export const INDICATOR_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
export const IndicatorNameSchema = z.string().regex(
  INDICATOR_NAME,
  "1-64 letters, digits, _ . : - starting with a letter or digit",
);

export const IndicatorValueSchema = z.object({
  value: z.union([z.number().finite(), text(1000)]).nullable(),
  unit: text(32).default(""),
  /** Ignored when the value is numeric and thresholds are set: they decide. */
  status: z.enum(INDICATOR_STATUSES).optional(),
  source: text(100).default(""),
  thresholds: ThresholdsSchema.nullable().optional(),
});
export type IndicatorValue = z.infer<typeof IndicatorValueSchema>;
export const IndicatorInputSchema = IndicatorValueSchema.extend({ name: IndicatorNameSchema });
export type IndicatorInput = z.infer<typeof IndicatorInputSchema>;
