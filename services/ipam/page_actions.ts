// Form submissions of the IPAM pages: validate, write, and turn failures into per-field messages.
import { AppError } from "@/services/errors.ts";
import type { Db } from "@/services/store/mod.ts";
import { type FormFields, hostFromForm, subnetFromForm } from "./form_input.ts";
import { createHost, type HostRecord } from "./host_repo.ts";
import {
  createSubnet,
  ORPHAN_CHOICES,
  type OrphanChoice,
  type SubnetRecord,
  type SubnetWriteOptions,
  updateSubnet,
} from "./subnet_repo.ts";

export type FormOutcome<T> =
  | { ok: true; value: T }
  | { ok: false; status: number; errors: Record<string, string>; raw: Record<string, string> };

/** Which field an error code belongs to, so the page can show it next to that input. */
const FIELD_OF: Record<string, string> = {
  duplicate_subnet: "cidr",
  invalid_cidr: "cidr",
  duplicate_host: "ip",
  no_subnet: "ip",
  invalid_ip: "ip",
  outside_scan_scope: "scan_enabled",
  hosts_outside_cidr: "orphans",
};

async function attempt<T>(
  raw: Record<string, string>,
  write: () => Promise<T>,
): Promise<FormOutcome<T>> {
  try {
    return { ok: true, value: await write() };
  } catch (e) {
    if (!(e instanceof AppError) || e.status >= 500) throw e;
    return { ok: false, status: e.status, errors: { [FIELD_OF[e.code] ?? "_"]: e.message }, raw };
  }
}

export async function createSubnetFromForm(
  db: Db,
  form: FormFields,
  opts: SubnetWriteOptions = {},
): Promise<FormOutcome<SubnetRecord>> {
  const parsed = subnetFromForm(form);
  if (!parsed.value) return { ok: false, status: 422, errors: parsed.errors, raw: parsed.raw };
  return await attempt(parsed.raw, () => createSubnet(db, parsed.value!, opts));
}

/** The edit form; its `orphans` select says what to do with hosts a new cidr leaves outside. */
export async function updateSubnetFromForm(
  db: Db,
  id: number,
  form: FormFields,
  opts: SubnetWriteOptions = {},
): Promise<FormOutcome<SubnetRecord>> {
  const parsed = subnetFromForm(form);
  if (!parsed.value) return { ok: false, status: 422, errors: parsed.errors, raw: parsed.raw };
  const choice = typeof form.orphans === "string" ? form.orphans : "";
  const orphans = (ORPHAN_CHOICES as readonly string[]).includes(choice)
    ? choice as OrphanChoice
    : undefined;
  return await attempt(
    { ...parsed.raw, orphans: choice },
    () => updateSubnet(db, id, parsed.value!, { ...opts, orphans }),
  );
}

export async function createHostFromForm(
  db: Db,
  form: FormFields,
): Promise<FormOutcome<HostRecord>> {
  const parsed = hostFromForm(form);
  if (!parsed.value) return { ok: false, status: 422, errors: parsed.errors, raw: parsed.raw };
  return await attempt(parsed.raw, () => createHost(db, parsed.value!));
}
