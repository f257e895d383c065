// CSV of organizations and servers with their addresses: export, and an import that creates or
// updates by name (organizations first, then servers), reporting each refused line.
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { AppError } from "@/services/errors.ts";
import { joinTags, neutralizeCell, restoreCell, splitTags, validate } from "@/services/ipam/mod.ts";
import type { Db } from "@/services/store/mod.ts";
import { OrganizationInputSchema, ServerInputSchema } from "./inputs.ts";
import {
  createOrganization,
  getOrganizationByName,
  listOrganizations,
  updateOrganization,
} from "./organizations.ts";
import { createServer, listServers, updateServer } from "./servers.ts";

export const INVENTORY_CSV_COLUMNS = [
  "type",
  "name",
  "organization",
  "code",
  "role",
  "os",
  "location",
  "rack",
  "serial",
  "tags",
  "notes",
  "addresses",
] as const;

export async function exportInventoryCsv(db: Db): Promise<string> {
  const rows: string[][] = [];
  for (const o of await listOrganizations(db)) {
    rows.push([
      "organization",
      o.name,
      "",
      o.code ?? "",
      "",
      "",
      "",
      "",
      "",
      joinTags(o.tags),
      o.notes,
      "",
    ]);
  }
  for (const s of await listServers(db)) {
    rows.push([
      "server",
      s.name,
      s.organization_name ?? "",
      "",
      s.role,
      s.os,
      s.location,
      s.rack,
      s.serial,
      joinTags(s.tags),
      s.notes,
      s.addresses.map((a) => a.ip).join(";"),
    ]);
  }
  return stringify([[...INVENTORY_CSV_COLUMNS], ...rows.map((r) => r.map(neutralizeCell))]);
}

export interface InventoryImportReport {
  organizations_created: number;
  organizations_updated: number;
  servers_created: number;
  servers_updated: number;
  errors: Array<{ line: number; message: string }>;
}

export async function importInventoryCsv(db: Db, text: string): Promise<InventoryImportReport> {
  let records: Record<string, string>[];
  try {
    records = parse(text.replace(/^\uFEFF/, ""), {
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
      skip_empty_lines: true,
      relax_column_count: true,
    });
  } catch (err) {
    throw new AppError(422, "invalid_csv", `invalid CSV: ${(err as Error).message}`);
  }
  const report: InventoryImportReport = {
    organizations_created: 0,
    organizations_updated: 0,
    servers_created: 0,
    servers_updated: 0,
    errors: [],
  };
  const cell = (r: Record<string, string>, k: string) => restoreCell((r[k] ?? "").trim());
  const lines = records.map((r, i) => ({ r, line: i + 2 }));
  const fail = (line: number, err: unknown) =>
    report.errors.push({
      line,
      message: err instanceof AppError ? err.message : (err as Error).message,
    });
  for (const { r, line } of lines.filter((x) => cell(x.r, "type") === "organization")) {
    try {
      const input = validate(OrganizationInputSchema, {
        name: cell(r, "name"),
        code: cell(r, "code") || null,
        notes: cell(r, "notes"),
        tags: splitTags(cell(r, "tags")),
      });
      const old = await getOrganizationByName(db, input.name);
      if (old) {
        await updateOrganization(db, old.id, {
          code: input.code,
          notes: input.notes,
          tags: input.tags,
        });
        report.organizations_updated++;
      } else {
        await createOrganization(db, input);
        report.organizations_created++;
      }
    } catch (err) {
      fail(line, err);
    }
  }
  for (const { r, line } of lines) {
    const type = cell(r, "type");
    if (type === "organization") continue;
    if (type !== "server") {
      fail(line, new Error(`type must be "organization" or "server", not "${type.slice(0, 40)}"`));
      continue;
    }
    try {
      const orgName = cell(r, "organization");
      const org = orgName ? await getOrganizationByName(db, orgName) : null;
      if (orgName && !org) throw new Error(`organization "${orgName}" does not exist`);
      const input = validate(ServerInputSchema, {
        name: cell(r, "name"),
        organization_id: org?.id ?? null,
        role: cell(r, "role"),
        os: cell(r, "os"),
        location: cell(r, "location"),
        rack: cell(r, "rack"),
        serial: cell(r, "serial"),
        notes: cell(r, "notes"),
        tags: splitTags(cell(r, "tags")),
        addresses: splitTags(cell(r, "addresses")),
      });
      const existing = (await listServers(db, { organizationId: org?.id }))
        .find((s) =>
          s.name.toLowerCase() === input.name.toLowerCase() &&
          s.organization_id === (org?.id ?? null)
        );
      if (existing) {
        await updateServer(db, existing.id, input);
        report.servers_updated++;
      } else {
        await createServer(db, input);
        report.servers_created++;
      }
    } catch (err) {
      fail(line, err);
    }
  }
  return report;
}
