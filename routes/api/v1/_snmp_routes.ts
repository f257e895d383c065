// SNMP settings and polls under /api/v1/hosts/{id}/snmp and /api/v1/subnets/{id}/snmp, registered
// on the hosts and subnets routers. Secrets are accepted here and never sent back.
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import {
  AUTH_PROTOCOLS,
  deleteSettings,
  hostNameSources,
  hostSnmpOverview,
  NAME_PRECEDENCE,
  PRIV_PROTOCOLS,
  putSettings,
  type SettingsScope,
  settingsView,
  subnetSnmpOverview,
} from "@/services/snmp/mod.ts";
import type { AppEnv } from "@/web/env.ts";
import {
  errorResponses,
  IdParam,
  jsonBody,
  jsonResponse,
  safeString,
  security,
} from "@/web/api_schemas.ts";

const secret = (what: string) =>
  safeString().max(256).nullable().optional().openapi({
    description: `${what}; write-only (never returned). Omit to keep the stored one, null to clear`,
  });

export const SnmpSettingsBody = z.object({
  enabled: z.boolean().default(true).openapi({
    description: "false on a host: never poll it, whatever its subnet says",
  }),
  version: z.enum(["v2c", "v3"]),
  port: z.number().int().min(1).max(65535).default(161),
  community: secret("v2c community"),
  v3_user: safeString().max(32).nullable().optional().openapi({ description: "v3 user name" }),
  auth_protocol: z.enum(AUTH_PROTOCOLS).nullable().optional().openapi({
    description: "v3 authentication; null for noAuthNoPriv",
  }),
  auth_key: secret("v3 authentication pass phrase (≥ 8 characters)"),
  priv_protocol: z.enum([...PRIV_PROTOCOLS, "des"]).nullable().optional().openapi({
    description: "v3 privacy (AES-128, AES-256 Blumenthal or Reeder key extension). " +
      '"des" is refused with 422: the Deno runtime has no DES cipher',
  }),
  priv_key: secret("v3 privacy pass phrase (≥ 8 characters)"),
}).openapi("SnmpSettingsInput");

export const SnmpSettingsSchema = z.object({
  scope: z.enum(["host", "subnet"]),
  host_id: z.number().int().nullable(),
  subnet_id: z.number().int().nullable(),
  enabled: z.boolean(),
  version: z.enum(["v2c", "v3"]),
  port: z.number().int(),
  v3_user: safeString().nullable(),
  auth_protocol: z.enum(AUTH_PROTOCOLS).nullable(),
  priv_protocol: z.enum(PRIV_PROTOCOLS).nullable(),
  security_level: z.enum(["community", "noAuthNoPriv", "authNoPriv", "authPriv"]),
  has_community: z.boolean(),
  has_auth_key: z.boolean(),
  has_priv_key: z.boolean(),
  updated_at: safeString(),
}).openapi("SnmpSettings");

export const SnmpPollSchema = z.object({
  host_id: z.number().int(),
  polled_at: safeString(),
  status: z.enum(["ok", "timeout", "auth_failed", "error"]),
  error: safeString().nullable(),
  sys_name: safeString().nullable().openapi({
    description: "As the device sent it, control characters removed, ≤ 255 characters",
  }),
  sys_descr: safeString().nullable(),
  settings_from: z.enum(["host", "subnet"]),
  duration_ms: z.number().int(),
  last_ok_at: safeString().nullable(),
}).openapi("SnmpPoll");

const NameSourceEnum = z.enum(NAME_PRECEDENCE as [string, ...string[]]);
export const HostNamesSchema = z.object({
  shown: safeString().nullable().openapi({ description: "The name the UI shows" }),
  winner: NameSourceEnum.nullable(),
  candidates: z.array(z.object({ source: NameSourceEnum, name: safeString().nullable() })).openapi({
    description: "Strongest first: override (typed by a person) > ptr (reverse DNS) > entered " +
      "(typed or imported DNS name) > snmp (sysName, made DNS-safe)",
  }),
  sys_name: safeString().nullable(),
  sys_descr: safeString().nullable(),
}).openapi("HostNames");

const HostSnmpSchema = z.object({
  host_id: z.number().int(),
  settings: SnmpSettingsSchema.nullable().openapi({ description: "The host's own settings" }),
  effective: SnmpSettingsSchema.nullable().openapi({
    description: "What a poll uses: the host's settings, else the most specific subnet's",
  }),
  last_poll: SnmpPollSchema.nullable(),
  names: HostNamesSchema,
}).openapi("HostSnmp");

const SubnetSnmpSchema = z.object({
  subnet_id: z.number().int(),
  settings: SnmpSettingsSchema.nullable(),
}).openapi("SubnetSnmp");

const PollResultSchema = z.object({
  poll: SnmpPollSchema,
  renamed: z.object({ from: safeString().nullable(), to: safeString() }).nullable(),
  names: HostNamesSchema,
}).openapi("SnmpPollResult");

const tags = ["snmp"];
type Api = OpenAPIHono<AppEnv>;
const settingsDescription = "v2c needs `community`; v3 needs `v3_user`, and `auth_key` with " +
  "`auth_protocol`, `priv_key` with `priv_protocol`. Secrets left out keep the stored value. " +
  "422 `validation_failed` names the field (e.g. DES privacy, which this runtime cannot do).";

/** GET/PUT/DELETE /hosts/{id}/snmp and POST /hosts/{id}/snmp/poll. */
export function registerHostSnmpRoutes(api: Api): void {
  api.openapi(
    createRoute({
      method: "get",
      path: "/{id}/snmp",
      tags,
      summary: "A host's SNMP settings (no secrets), last poll and name sources",
      security,
      request: { params: IdParam },
      responses: { 200: jsonResponse(HostSnmpSchema, "SNMP of the host"), ...errorResponses },
    }),
    async (c) => c.json(await hostSnmpOverview(c.get("deps").db, c.req.valid("param").id), 200),
  );

  registerSettingsWrites(api, "host", {
    put: "Set a host's SNMP settings (they override its subnet's)",
    putNote: "",
    del: "Remove a host's own SNMP settings (its subnet's then apply)",
  });

  api.openapi(
    createRoute({
      method: "post",
      path: "/{id}/snmp/poll",
      tags,
      summary: "Read sysName and sysDescr now",
      description:
        "Waits for the answer (at most SNMP_TIMEOUT_MS × (SNMP_RETRIES + 1)). A failed " +
        "read is a 200 whose poll.status says why (timeout, auth_failed, error). 422 " +
        "`snmp_not_configured`, `snmp_disabled`, `snmp_off` or `out_of_scope` when nothing is sent.",
      security,
      request: { params: IdParam },
      responses: { 200: jsonResponse(PollResultSchema, "The reading"), ...errorResponses },
    }),
    async (c) => {
      const deps = c.get("deps");
      const id = c.req.valid("param").id;
      const result = await deps.services.sweeps.snmp.pollHost(id);
      return c.json({ ...result, names: await hostNameSources(deps.db, id) }, 200);
    },
  );
}

/** GET/PUT/DELETE /subnets/{id}/snmp: the default for the hosts inside the subnet. */
export function registerSubnetSnmpRoutes(api: Api): void {
  api.openapi(
    createRoute({
      method: "get",
      path: "/{id}/snmp",
      tags,
      summary: "A subnet's default SNMP settings (no secrets)",
      security,
      request: { params: IdParam },
      responses: { 200: jsonResponse(SubnetSnmpSchema, "SNMP of the subnet"), ...errorResponses },
    }),
    async (c) => c.json(await subnetSnmpOverview(c.get("deps").db, c.req.valid("param").id), 200),
  );

  registerSettingsWrites(api, "subnet", {
    put: "Set a subnet's default SNMP settings (hosts inside inherit them)",
    putNote: " The most specific subnet with settings applies.",
    del: "Remove a subnet's default SNMP settings",
  });
}

/** PUT and DELETE /{id}/snmp for hosts or subnets: the same body and rules for both. */
function registerSettingsWrites(
  api: Api,
  kind: SettingsScope["kind"],
  text: { put: string; putNote: string; del: string },
): void {
  api.openapi(
    createRoute({
      method: "put",
      path: "/{id}/snmp",
      tags,
      summary: text.put,
      description: settingsDescription + text.putNote,
      security,
      request: { params: IdParam, body: jsonBody(SnmpSettingsBody) },
      responses: { 200: jsonResponse(SnmpSettingsSchema, "Saved"), ...errorResponses },
    }),
    async (c) => {
      const scope: SettingsScope = { kind, id: c.req.valid("param").id };
      const row = await putSettings(c.get("deps").db, scope, c.req.valid("json"));
      return c.json(settingsView(row), 200);
    },
  );

  api.openapi(
    createRoute({
      method: "delete",
      path: "/{id}/snmp",
      tags,
      summary: text.del,
      security,
      request: { params: IdParam },
      responses: { 204: { description: "Removed (or there were none)" }, ...errorResponses },
    }),
    async (c) => {
      await deleteSettings(c.get("deps").db, { kind, id: c.req.valid("param").id });
      return c.body(null, 204);
    },
  );
}
