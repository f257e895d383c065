// zod schemas for host and subnet input, shared by the CSV importer and the HTTP API.
import { z } from "zod";
import { safeString } from "@/services/input_rules.ts";
import { AppError } from "@/services/errors.ts";
import { parseCidr, parseIp } from "./cidr.ts";

export const LIMITS = {
  hostname: 253,
  hostnameLabel: 63,
  name: 200,
  description: 1000,
  notes: 10000,
  location: 200,
  tags: 32,
  tag: 64,
  vlanMin: 1,
  vlanMax: 4094,
  scanIntervalMin: 30,
  scanIntervalMax: 7 * 24 * 3600,
  scanIntervalDefault: 300,
} as const;

/** Characters a tag may not hold: the CSV tag separators and control characters. */
const TAG_FORBIDDEN = /[;|]|\p{Cc}/u;
const MAC_FORMS = [
  /^([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})$/i,
  /^([0-9a-f]{2})([0-9a-f]{2})\.([0-9a-f]{2})([0-9a-f]{2})\.([0-9a-f]{2})([0-9a-f]{2})$/i, // Cisco
  /^([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i,
];
/** DNS-ish names; Unicode letters allowed for IDN written as-is, no whitespace or punctuation. */
const HOSTNAME = /^[\p{L}\p{N}_](?:[\p{L}\p{N}_-]*)(?:\.[\p{L}\p{N}_](?:[\p{L}\p{N}_-]*))*\.?$/u;

/**
 * Normalizes a MAC address to lowercase colon form (`00:1a:2b:3c:4d:5e`). Accepts colon,
 * dash, Cisco dotted (`001a.2b3c.4d5e`) and bare hex forms. Returns null if it is none of them.
 */
export function normalizeMac(input: string): string | null {
  const text = input.trim();
  for (const form of MAC_FORMS) {
    const m = form.exec(text);
    // Mixed separators such as "00:1a-2b..." are refused: they are usually typos.
    if (m && !(text.includes(":") && text.includes("-"))) return m.slice(1).join(":").toLowerCase();
  }
  return null;
}

/** Optional free text: trimmed, "" and null both mean "no value" (null). */
const optionalText = (label: string, max: number) =>
  safeString().trim().max(max, `${label} is longer than ${max} characters`).nullish()
    .transform((v) => (v ? v : null));

/** Runs a parser that throws AppError and turns its message into a zod issue. */
function viaAppError<T>(parse: (v: string) => T) {
  return (value: string, ctx: z.RefinementCtx): T => {
    try {
      return parse(value);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      ctx.addIssue({ code: "custom", message: err.message });
      return z.NEVER;
    }
  };
}

const ipField = safeString().transform(viaAppError((v) => parseIp(v).ip)).meta({
  description: "IPv4 or IPv6 address; stored canonical (IPv6 compressed, lowercase)",
  example: "198.51.100.10",
});
const cidrField = safeString().transform(viaAppError((v) => parseCidr(v).cidr)).meta({
  description: "Network address/prefix; host bits set is an error naming the network",
  example: "198.51.100.0/24",
});

/**
 * Why `name` is not a DNS name (too long, a long label, spaces or punctuation), or null when
 * it is one. The CSV importer uses it to keep phpIPAM's free-text hostnames as descriptions.
 */
export function hostnameProblem(name: string): string | null {
  if (name.length > LIMITS.hostname) {
    return `hostname is longer than ${LIMITS.hostname} characters`;
  }
  const longLabel = name.split(".").find((label) => label.length > LIMITS.hostnameLabel);
  if (longLabel) {
    return `hostname label "${
      longLabel.slice(0, 20)
    }..." is longer than ${LIMITS.hostnameLabel} characters`;
  }
  if (!HOSTNAME.test(name)) {
    return `hostname ${JSON.stringify(name)} is not a DNS name; expected letters, digits, "-" ` +
      `and "_" in dot-separated labels like web-01.example.com`;
  }
  return null;
}

const hostnameField = safeString().trim().nullish().transform((v, ctx) => {
  if (!v) return null;
  const problem = hostnameProblem(v);
  if (problem) {
    ctx.addIssue({ code: "custom", message: problem });
    return z.NEVER;
  }
  return v;
}).meta({ description: "DNS name, at most 253 characters", example: "web-01.example.com" });

const macField = safeString().nullish().transform((v, ctx) => {
  if (v == null || v.trim() === "") return null;
  const mac = normalizeMac(v);
  if (mac) return mac;
  ctx.addIssue({
    code: "custom",
    message: `invalid MAC ${JSON.stringify(v)}: expected 6 hex bytes like 00:1a:2b:3c:4d:5e`,
  });
  return z.NEVER;
}).meta({
  description: "MAC address in colon, dash, Cisco dotted or bare hex form; stored lowercase colon",
  example: "00:00:5e:00:53:01",
});

const tagField = safeString().trim()
  .min(1, "a tag may not be empty")
  .max(LIMITS.tag, `a tag is longer than ${LIMITS.tag} characters`)
  .refine((t) => !TAG_FORBIDDEN.test(t), `a tag may not contain ";", "|" or control characters`);

/** Tags: trimmed, duplicates dropped (first spelling kept), at most 32. */
const tagsField = z.array(tagField)
  .max(LIMITS.tags, `at most ${LIMITS.tags} tags are allowed`)
  .transform((tags) => [...new Set(tags)]);

const vlanField = z.number()
  .int(`vlan must be a whole number ${LIMITS.vlanMin}-${LIMITS.vlanMax}`)
  .min(LIMITS.vlanMin, `vlan must be ${LIMITS.vlanMin}-${LIMITS.vlanMax}`)
  .max(LIMITS.vlanMax, `vlan must be ${LIMITS.vlanMin}-${LIMITS.vlanMax}`)
  .nullish().transform((v) => v ?? null);

const scanIntervalField = z.number()
  .int("scan_interval_s must be a whole number of seconds")
  .min(LIMITS.scanIntervalMin, `scan_interval_s must be at least ${LIMITS.scanIntervalMin}`)
  .max(
    LIMITS.scanIntervalMax,
    `scan_interval_s must be at most ${LIMITS.scanIntervalMax} (7 days)`,
  );

/** A site name: it becomes a NATS subject token, so only letters, digits, - and _. */
const siteField = safeString().trim().regex(
  /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/,
  "site must be 1-63 letters, digits, - or _ (e.g. local, branch-2)",
);

const hostFields = {
  ip: ipField,
  hostname: hostnameField,
  description: optionalText("description", LIMITS.description),
  tags: tagsField,
  notes: optionalText("notes", LIMITS.notes),
  mac: macField,
};

const subnetFields = {
  cidr: cidrField,
  name: optionalText("name", LIMITS.name),
  description: optionalText("description", LIMITS.description),
  vlan: vlanField,
  tags: tagsField,
  location: optionalText("location", LIMITS.location),
  scan_enabled: z.boolean(),
  scan_interval_s: scanIntervalField,
  site: siteField,
};

/**
 * A host to create or replace. Output: `ip` canonical, empty text → null, `mac` lowercase
 * colon form, `tags` deduplicated (default []).
 */
export const HostInputSchema = z.object({ ...hostFields, tags: tagsField.default([]) });

/** A partial host update: absent keys stay unchanged, null clears; no defaults are filled in. */
export const HostPatchSchema = z.object(hostFields).partial();

/**
 * A subnet to create or replace. `cidr` must be a network address (host bits set is an
 * error naming the network); vlan 1..4094 or null; scan_enabled defaults to false;
 * scan_interval_s (30 s .. 7 days) may be left out for the instance's default.
 */
export const SubnetInputSchema = z.object({
  ...subnetFields,
  tags: tagsField.default([]),
  scan_enabled: subnetFields.scan_enabled.default(false),
  /** Absent: the instance's default (SCAN_SWEEP_INTERVAL_MINUTES), filled in when it is stored. */
  scan_interval_s: scanIntervalField.optional(),
  site: siteField.optional(),
});

/** A partial subnet update: absent keys stay unchanged; no defaults are filled in. */
export const SubnetPatchSchema = z.object(subnetFields).partial();

export type HostInput = z.output<typeof HostInputSchema>;
export type SubnetInput = z.output<typeof SubnetInputSchema>;
export type HostPatch = z.output<typeof HostPatchSchema>;
export type SubnetPatch = z.output<typeof SubnetPatchSchema>;

/** One line per zod issue, prefixed with the field name unless the message already says it. */
export function formatIssues(error: z.ZodError): string {
  return error.issues.map((issue) => {
    const field = issue.path.join(".");
    // Tag issues carry an index path (tags.3); the message is clear without it.
    const name = field.replace(/\.\d+$/, "");
    const message = issue.message.toLowerCase();
    return !name || message.startsWith(name) || message.includes(`${name} `)
      ? issue.message
      : `${name}: ${issue.message}`;
  }).join("; ");
}
