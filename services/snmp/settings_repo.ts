// SQL for SNMP settings (per host, or per subnet as the default of the hosts inside it). Secrets
// are written here and read only to open sessions; views returned to callers never hold them.
import { AppError, notFound } from "@/services/errors.ts";
import type { Queryable } from "@/services/store/mod.ts";
import {
  AUTH_PROTOCOLS,
  type AuthProtocol,
  PRIV_PROTOCOLS,
  type PrivProtocol,
  type SnmpCredentials,
} from "./reader.ts";

export type SettingsScope = { kind: "host"; id: number } | { kind: "subnet"; id: number };

/** A PUT body after parsing. Secrets left undefined keep what is stored; null clears them. */
export interface SnmpSettingsInput {
  enabled: boolean;
  version: "v2c" | "v3";
  port: number;
  community?: string | null;
  v3_user?: string | null;
  auth_protocol?: string | null;
  auth_key?: string | null;
  priv_protocol?: string | null;
  priv_key?: string | null;
}

/** What the API shows: never a secret, only whether one is stored. */
export interface SnmpSettingsView {
  scope: "host" | "subnet";
  host_id: number | null;
  subnet_id: number | null;
  enabled: boolean;
  version: "v2c" | "v3";
  port: number;
  v3_user: string | null;
  auth_protocol: AuthProtocol | null;
  priv_protocol: PrivProtocol | null;
  security_level: "community" | "noAuthNoPriv" | "authNoPriv" | "authPriv";
  has_community: boolean;
  has_auth_key: boolean;
  has_priv_key: boolean;
  updated_at: string;
}

export interface SettingsRow {
  id: number;
  host_id: number | null;
  subnet_id: number | null;
  enabled: boolean;
  version: "v2c" | "v3";
  port: number;
  community: string | null;
  v3_user: string | null;
  auth_protocol: AuthProtocol | null;
  auth_key: string | null;
  priv_protocol: PrivProtocol | null;
  priv_key: string | null;
  updated_at: string;
}

const COLUMNS = `id, host_id, subnet_id, enabled, version, port, community, v3_user, auth_protocol,
  auth_key, priv_protocol, priv_key, updated_at`;
/** Secrets are bounded: RFC 3414 keys are ≥ 8 characters; nothing real is longer than this. */
const MAX_SECRET = 256;

export function settingsView(row: SettingsRow): SnmpSettingsView {
  return {
    scope: row.host_id !== null ? "host" : "subnet",
    host_id: row.host_id,
    subnet_id: row.subnet_id,
    enabled: row.enabled,
    version: row.version,
    port: row.port,
    v3_user: row.v3_user,
    auth_protocol: row.auth_protocol,
    priv_protocol: row.priv_protocol,
    security_level: row.version === "v2c"
      ? "community"
      : row.priv_protocol
      ? "authPriv"
      : row.auth_protocol
      ? "authNoPriv"
      : "noAuthNoPriv",
    has_community: row.community !== null,
    has_auth_key: row.auth_key !== null,
    has_priv_key: row.priv_key !== null,
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

/** The credentials a session needs, from a stored row. */
export function credentialsOf(row: SettingsRow): SnmpCredentials {
  if (row.version === "v2c") return { version: "v2c", community: row.community ?? "" };
  return {
    version: "v3",
    user: row.v3_user ?? "",
    authProtocol: row.auth_protocol,
    authKey: row.auth_key,
    privProtocol: row.priv_protocol,
    privKey: row.priv_key,
  };
}

const scopeColumn = (s: SettingsScope) => (s.kind === "host" ? "host_id" : "subnet_id");

export async function getSettings(
  db: Queryable,
  scope: SettingsScope,
): Promise<SettingsRow | null> {
  const rows = await db.query<SettingsRow>(
    `select ${COLUMNS} from snmp_settings where ${scopeColumn(scope)} = $1`,
    [scope.id],
  );
  return rows[0] ?? null;
}

export async function getSettingsById(db: Queryable, ids: number[]): Promise<SettingsRow[]> {
  if (ids.length === 0) return [];
  return await db.query<SettingsRow>(
    `select ${COLUMNS} from snmp_settings where id = any($1::bigint[])`,
    [ids],
  );
}

/** 404 unless the host or subnet exists. */
export async function requireScope(db: Queryable, scope: SettingsScope): Promise<void> {
  const table = scope.kind === "host" ? "host" : "subnet";
  const rows = await db.query(`select 1 from ${table} where id = $1`, [scope.id]);
  if (rows.length === 0) throw notFound(`${scope.kind} ${scope.id}`);
}

const bad = (field: string, message: string) =>
  new AppError(422, "validation_failed", `${field}: ${message}`, {
    issues: [{ path: field, message }],
  });

/** Merges a PUT body into what is stored, checks the combination, and returns the new row. */
export function mergeSettings(
  input: SnmpSettingsInput,
  old: SettingsRow | null,
): Omit<SettingsRow, "id" | "host_id" | "subnet_id" | "updated_at"> {
  const keep = <K extends "community" | "auth_key" | "priv_key">(k: K) =>
    input[k] === undefined ? (old?.[k] ?? null) : input[k] || null;
  for (const k of ["community", "auth_key", "priv_key"] as const) {
    const v = input[k];
    if (typeof v === "string" && v.length > MAX_SECRET) {
      throw bad(k, `longer than ${MAX_SECRET} characters`);
    }
    if (typeof v === "string" && /[\p{Cc}]/u.test(v)) throw bad(k, "contains control characters");
  }
  if (input.version === "v2c") {
    const community = keep("community");
    if (!community) {
      throw bad("community", "a community string is required for SNMP v2c (none is stored)");
    }
    return {
      enabled: input.enabled,
      version: "v2c",
      port: input.port,
      community,
      v3_user: null,
      auth_protocol: null,
      auth_key: null,
      priv_protocol: null,
      priv_key: null,
    };
  }
  const user = input.v3_user === undefined ? old?.v3_user ?? null : input.v3_user;
  if (!user) throw bad("v3_user", "a user name is required for SNMP v3");
  if (user.length > 32) throw bad("v3_user", "longer than 32 characters (RFC 3414)");
  if (/[\p{Cc}]/u.test(user)) throw bad("v3_user", "contains control characters");
  const authProtocol = input.auth_protocol === undefined
    ? old?.auth_protocol ?? null
    : input.auth_protocol;
  const privProtocol = input.priv_protocol === undefined
    ? old?.priv_protocol ?? null
    : input.priv_protocol;
  if (authProtocol !== null && !(AUTH_PROTOCOLS as readonly string[]).includes(authProtocol)) {
    throw bad("auth_protocol", `expected one of ${AUTH_PROTOCOLS.join(", ")}`);
  }
  if (privProtocol === "des") {
    throw bad(
      "priv_protocol",
      "DES privacy is not available: this runtime (Deno) has no DES-CBC cipher; configure the " +
        "device's SNMPv3 user with AES (priv_protocol aes, aes256b or aes256r)",
    );
  }
  if (privProtocol !== null && !(PRIV_PROTOCOLS as readonly string[]).includes(privProtocol)) {
    throw bad("priv_protocol", `expected one of ${PRIV_PROTOCOLS.join(", ")}`);
  }
  const authKey = authProtocol ? keep("auth_key") : null;
  const privKey = privProtocol ? keep("priv_key") : null;
  if (authProtocol && !authKey) {
    throw bad("auth_key", `required with auth_protocol ${authProtocol}`);
  }
  if (authKey && authKey.length < 8) throw bad("auth_key", "at least 8 characters (RFC 3414)");
  if (privProtocol && !authProtocol) {
    throw bad("priv_protocol", "privacy needs authentication: set auth_protocol and auth_key too");
  }
  if (privProtocol && !privKey) {
    throw bad("priv_key", `required with priv_protocol ${privProtocol}`);
  }
  if (privKey && privKey.length < 8) throw bad("priv_key", "at least 8 characters (RFC 3414)");
  return {
    enabled: input.enabled,
    version: "v3",
    port: input.port,
    community: null,
    v3_user: user,
    auth_protocol: authProtocol as AuthProtocol | null,
    auth_key: authKey,
    priv_protocol: privProtocol as PrivProtocol | null,
    priv_key: privKey,
  };
}

/** Creates or replaces the settings of a host or subnet (404 when it does not exist). */
export async function putSettings(
  db: Queryable,
  scope: SettingsScope,
  input: SnmpSettingsInput,
): Promise<SettingsRow> {
  await requireScope(db, scope);
  const next = mergeSettings(input, await getSettings(db, scope));
  const col = scopeColumn(scope);
  const [row] = await db.query<SettingsRow>(
    `insert into snmp_settings (${col}, enabled, version, port, community, v3_user, auth_protocol,
       auth_key, priv_protocol, priv_key)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     on conflict (${col}) do update set enabled = excluded.enabled, version = excluded.version,
       port = excluded.port, community = excluded.community, v3_user = excluded.v3_user,
       auth_protocol = excluded.auth_protocol, auth_key = excluded.auth_key,
       priv_protocol = excluded.priv_protocol, priv_key = excluded.priv_key, updated_at = now()
     returning ${COLUMNS}`,
    [
      scope.id,
      next.enabled,
      next.version,
      next.port,
      next.community,
      next.v3_user,
      next.auth_protocol,
      next.auth_key,
      next.priv_protocol,
      next.priv_key,
    ],
  );
  return row;
}

/** Removes a host's or subnet's settings; true when there were some. 404 for a missing target. */
export async function deleteSettings(db: Queryable, scope: SettingsScope): Promise<boolean> {
  await requireScope(db, scope);
  const rows = await db.query(
    `delete from snmp_settings where ${scopeColumn(scope)} = $1 returning id`,
    [scope.id],
  );
  return rows.length > 0;
}

/** A host's effective settings: its own row, else the most specific subnet with a row. */
export interface EffectiveSettings {
  host_id: number;
  ip: string;
  settings: SettingsRow | null;
  from: "host" | "subnet" | null;
}

/**
 * Effective settings of many hosts in two statements. A host row wins (enabled or not); else the
 * most specific containing subnet that has a row.
 */
/** True when any host or subnet has SNMP on: a sweep of a network without any asks nothing more. */
export async function anySnmpEnabled(db: Queryable): Promise<boolean> {
  const [row] = await db.query<{ any: boolean }>(
    `select exists (select 1 from snmp_settings where enabled) as any`,
  );
  return row?.any === true;
}

export async function effectiveSettings(
  db: Queryable,
  hostIds: number[],
): Promise<EffectiveSettings[]> {
  if (hostIds.length === 0) return [];
  const picks = await db.query<
    { host_id: number; ip: string; settings_id: number | null; settings_from: string | null }
  >(
    `select h.id as host_id, host(h.ip) as ip, coalesce(hs.id, ss.id) as settings_id,
            case when hs.id is not null then 'host' when ss.id is not null then 'subnet' end as settings_from
     from host h
     left join snmp_settings hs on hs.host_id = h.id
     left join lateral (
       select s.id from snmp_settings s join subnet n on n.id = s.subnet_id
       where n.cidr >>= h.ip order by masklen(n.cidr) desc limit 1
     ) ss on hs.id is null
     where h.id = any($1::bigint[])`,
    [hostIds],
  );
  const rows = await getSettingsById(
    db,
    picks.flatMap((p) => (p.settings_id !== null ? [p.settings_id] : [])),
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  return picks.map((p) => ({
    host_id: p.host_id,
    ip: p.ip,
    settings: p.settings_id !== null ? byId.get(p.settings_id) ?? null : null,
    from: p.settings_from as EffectiveSettings["from"],
  }));
}
