// Turns HTML form fields (all strings) into validated subnet/host input, with one error per field.
import { AppError } from "@/services/errors.ts";
import { parseCidr } from "./cidr.ts";
import { splitTags } from "./csv_cells.ts";
import {
  type HostInput,
  HostInputSchema,
  LIMITS,
  type SubnetInput,
  SubnetInputSchema,
} from "./input_schemas.ts";
import { fieldErrors, findNul } from "./validate.ts";

export type FormFields = Record<string, string | File | (string | File)[]>;

export interface FormResult<T> {
  value?: T;
  /** Field name → message; `_` for the form as a whole. */
  errors: Record<string, string>;
  /** What the user typed, to redisplay. */
  raw: Record<string, string>;
}

function text(form: FormFields, name: string): string {
  const v = form[name];
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === "string" ? first : "";
}

const SUBNET_FIELDS = [
  "cidr",
  "name",
  "description",
  "vlan",
  "tags",
  "location",
  "scan_interval_s",
  "site",
] as const;

/** Reads the add/edit subnet form. `normalize` (a checkbox) turns 10.0.0.5/24 into 10.0.0.0/24. */
export function subnetFromForm(form: FormFields): FormResult<SubnetInput> {
  const raw: Record<string, string> = {};
  for (const f of SUBNET_FIELDS) raw[f] = text(form, f);
  raw.scan_enabled = text(form, "scan_enabled");
  raw.normalize = text(form, "normalize");
  const errors: Record<string, string> = {};
  const nul = findNul(raw);
  if (nul) return { raw, errors: { [nul]: "NUL characters are not allowed" } };

  let cidr = raw.cidr.trim();
  if (raw.normalize && cidr) {
    try {
      cidr = parseCidr(cidr, { normalize: true }).cidr;
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      errors.cidr = e.message;
    }
  }
  let vlan: number | null | string = null;
  if (raw.vlan.trim() !== "") {
    vlan = /^\d+$/.test(raw.vlan.trim()) ? Number(raw.vlan.trim()) : raw.vlan;
    if (typeof vlan === "string") {
      errors.vlan = `vlan must be a number ${LIMITS.vlanMin}-${LIMITS.vlanMax}`;
    }
  }
  let interval: number | undefined;
  if (raw.scan_interval_s.trim() !== "") {
    interval = /^\d+$/.test(raw.scan_interval_s.trim()) ? Number(raw.scan_interval_s) : NaN;
    if (Number.isNaN(interval)) {
      errors.scan_interval_s = "scan interval must be a number of seconds";
    }
  }
  const candidate = {
    cidr,
    name: raw.name,
    description: raw.description,
    vlan,
    tags: splitTags(raw.tags),
    location: raw.location,
    scan_enabled: raw.scan_enabled !== "",
    scan_interval_s: interval,
    // Empty: the default site on create, unchanged on edit.
    site: raw.site.trim() || undefined,
  };
  const result = SubnetInputSchema.safeParse(candidate);
  if (!result.success) {
    for (const [k, v] of Object.entries(fieldErrors(result.error))) errors[k] ??= v;
  }
  if (Object.keys(errors).length || !result.success) return { raw, errors };
  return { raw, errors, value: result.data };
}

const HOST_FIELDS = ["ip", "hostname", "description", "tags", "notes", "mac"] as const;

/** Reads the add-host / claim form. */
export function hostFromForm(form: FormFields): FormResult<HostInput> {
  const raw: Record<string, string> = {};
  for (const f of HOST_FIELDS) raw[f] = text(form, f);
  const nul = findNul(raw);
  if (nul) return { raw, errors: { [nul]: "NUL characters are not allowed" } };
  const result = HostInputSchema.safeParse({
    ip: raw.ip,
    hostname: raw.hostname,
    description: raw.description,
    tags: splitTags(raw.tags),
    notes: raw.notes,
    mac: raw.mac,
  });
  if (!result.success) return { raw, errors: fieldErrors(result.error) };
  return { raw, errors: {}, value: result.data };
}

/** The form fields of a stored subnet, for the edit form. */
export function subnetToForm(s: {
  cidr: string;
  name: string | null;
  description: string | null;
  vlan: number | null;
  tags: readonly string[];
  location: string | null;
  scan_enabled: boolean;
  scan_interval_s: number;
  site?: string;
}): Record<string, string> {
  return {
    cidr: s.cidr,
    name: s.name ?? "",
    description: s.description ?? "",
    vlan: s.vlan === null ? "" : String(s.vlan),
    tags: s.tags.join("; "),
    location: s.location ?? "",
    scan_enabled: s.scan_enabled ? "on" : "",
    scan_interval_s: String(s.scan_interval_s),
    site: s.site ?? "local",
  };
}
