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

const organizationFields = {
  name: text(200).trim().min(1, "name is required"),
  code: text(64).trim().min(1).nullable(),
  contacts: z.array(ContactSchema).max(50),
  notes: text(10_000),
  tags,
};
export const OrganizationInputSchema = z.object({
  ...organizationFields,
  code: organizationFields.code.optional(),
  contacts: organizationFields.contacts.default([]),
  notes: organizationFields.notes.default(""),
  tags: organizationFields.tags.default([]),
});
/** A partial update: absent keys stay unchanged; no defaults are filled in. */
export const OrganizationPatchSchema = z.object(organizationFields).partial();
export type OrganizationInput = z.infer<typeof OrganizationInputSchema>;
export type OrganizationPatch = z.infer<typeof OrganizationPatchSchema>;

const serverFields = {
  name: text(200).trim().min(1, "name is required"),
  organization_id: z.number().int().positive().nullable(),
  role: text(200),
  os: text(200),
  location: text(200),
  rack: text(100),
  serial: text(200),
  notes: text(10_000),
  tags,
  /** Addresses to link (existing hosts by address; unknown ones are created). */
  addresses: z.array(text(64).trim().min(1)).max(256),
};
export const ServerInputSchema = z.object({
  ...serverFields,
  organization_id: serverFields.organization_id.default(null),
  role: serverFields.role.default(""),
  os: serverFields.os.default(""),
  location: serverFields.location.default(""),
  rack: serverFields.rack.default(""),
  serial: serverFields.serial.default(""),
  notes: serverFields.notes.default(""),
  tags: serverFields.tags.default([]),
  addresses: serverFields.addresses.optional(),
});
/** A partial update: absent keys stay unchanged; `addresses` replaces the linked set. */
export const ServerPatchSchema = z.object(serverFields).partial();
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
