// The one typed configuration object, read once from the environment and an optional .env file.
import { z } from "zod";
import { parse as parseDotenv } from "dotenv";
import { parseCidr, parseIp } from "@/services/ipam/mod.ts";

const bool = z.enum(["0", "1", "true", "false", "yes", "no", "on", "off", ""]).transform((v) =>
  ["1", "true", "yes", "on"].includes(v)
);
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** A comma or space separated list of CIDRs (a bare address stands for itself); "" = none. */
function parseCidrList(text: string, ctx: z.RefinementCtx): string[] {
  const out: string[] = [];
  for (const item of text.split(/[\s,]+/).filter(Boolean)) {
    try {
      out.push(
        item.includes("/")
          ? parseCidr(item, { normalize: true }).cidr
          : `${parseIp(item).ip}/${item.includes(":") ? 128 : 32}`,
      );
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message });
    }
  }
  return out;
}
/** Unset means "no list given" (the caller picks a default elsewhere). */
const cidrListText = z.string().transform(parseCidrList);
const cidrList = (fallback = "") => z.string().default(fallback).transform(parseCidrList);

/** One line per setting: add a variable here and it is typed, defaulted and validated. */
export const ConfigSchema = z.object({
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: int(0, 65535).default(8000),
  DATA_DIR: z.string().min(1).default("./data"),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must start with postgres://").optional(),
  KV_PATH: z.string().min(1).optional(),
  ADMIN_PASSWORD: z.string().min(1).optional(),
  DISABLE_SCHEDULER: bool.default(false),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  TRUST_PROXY: bool.default(false),
  TRUSTED_PROXIES: cidrList("127.0.0.0/8,::1/128"),
  SESSION_TTL_HOURS: int(1, 24 * 90).default(24 * 7),
  SESSION_IDLE_MINUTES: int(1, 24 * 60 * 30).default(12 * 60),
  MAX_BODY_BYTES: int(1024, 1024 * 1024 * 1024).default(1024 * 1024),
  MAX_UPLOAD_BYTES: int(1024, 1024 * 1024 * 1024).default(20 * 1024 * 1024),
  LOGIN_MAX_ATTEMPTS: int(1, 1000).default(5),
  LOGIN_WINDOW_SECONDS: int(1, 86400).default(15 * 60),
  LOGIN_SLOWDOWN_MAX_MS: int(0, 60_000).default(3000),
  SCAN_ICMP_INTERVAL_SECONDS: int(5, 86400).default(60),
  PING_WORKERS: int(1, 4096).default(64),
  PING_TIMEOUT_MS: int(10, 60_000).default(500),
  PING_RETRIES: int(0, 10).default(1),
  SCAN_JITTER: z.coerce.number().min(0).max(0.5).default(0.1),
  MAX_SWEEP_PREFIX: int(1, 32).default(16),
  PTR_LOOKUP_ENABLED: bool.default(true),
  ARP_SCAN_ENABLED: bool.default(false),
  ARP_SCAN_TIMEOUT_MS: int(10, 10_000).default(500),
  ARP_SCAN_RETRIES: int(1, 10).default(2),
  SNMP_ENABLED: bool.default(true),
  SNMP_TIMEOUT_MS: int(100, 60_000).default(2000),
  SNMP_RETRIES: int(0, 5).default(1),
  SNMP_CONCURRENCY: int(1, 256).default(16),
  SNMP_POLL_INTERVAL_MINUTES: int(1, 60 * 24 * 30).default(60),
  /** Ranges Pingfold may probe until an admin sets them in Settings; unset: loopback + private. */
  SCAN_SCOPE: cidrListText.optional(),
  HISTORY_RAW_DAYS: int(1, 3650).default(7),
  ENABLE_NMAP_SCHEDULER: bool.default(true),
  SCAN_NMAP_INTERVAL_MINUTES: int(1, 60 * 24 * 30).default(60),
  NMAP_ARGS: z.string().optional(),
  NMAP_MAX_CONCURRENT: int(1, 64).default(2),
  NMAP_TIMEOUT_SECONDS: int(10, 86400).default(600),
  NETFLOW_ENABLED: bool.default(true),
  /** Unset: the same address as HOST (loopback unless the web app serves the LAN). */
  NETFLOW_BIND_HOST: z.string().min(1).optional(),
  NETFLOW_BIND_PORT: int(0, 65535).default(2055),
  NETFLOW_INSERT_BATCH: int(1, 100_000).default(200),
  NETFLOW_FLUSH_INTERVAL_MS: int(10, 600_000).default(1000),
  NETFLOW_QUEUE_MAX: int(1, 100_000_000).default(100_000),
  NETFLOW_RETENTION_DAYS: int(1, 3650).default(7),
  NETFLOW_ROLLUP_RETENTION_DAYS: int(1, 3650).default(90),
  NETFLOW_RECV_BUFFER_BYTES: int(0, 1024 * 1024 * 1024).default(4 * 1024 * 1024),
  NETFLOW_ALLOWED_EXPORTERS: cidrList(),
  NETFLOW_MAX_TEMPLATES: int(1, 10_000_000).default(16384),
  NETFLOW_MAX_TEMPLATES_PER_EXPORTER: int(1, 10_000_000).default(2048),
  NETFLOW_MAX_PENDING_SETS: int(0, 1_000_000).default(1024),
  NETFLOW_MAX_PENDING_PER_EXPORTER: int(0, 1_000_000).default(256),
  DUMP_HEX: bool.default(false),
  DUMP_HEX_LEN: int(1, 65535).default(64),
  NETFLOW_LOG_FILE: z.string().min(1).optional(),
  ACTIONS_DIR: z.string().min(1).optional(),
  ACTION_MAX_CONCURRENT: int(1, 64).default(4),
  ACTION_OUTPUT_MAX_BYTES: int(1024, 16 * 1024 * 1024).default(256 * 1024),
  ADHOC_RATE_PER_MINUTE: int(1, 100_000).default(30),
});

export type Config = Omit<z.infer<typeof ConfigSchema>, "NETFLOW_BIND_HOST" | "ACTIONS_DIR"> & {
  KV_PATH: string;
  NETFLOW_BIND_HOST: string;
  ACTIONS_DIR: string;
};

export class ConfigError extends Error {}

/** Builds the config from an env map; errors name every bad variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined));
  const result = ConfigSchema.safeParse(clean);
  if (!result.success) {
    const lines = result.error.issues.map((i) =>
      `  ${i.path.join(".")}=${JSON.stringify(clean[String(i.path[0])] ?? "")}: ${i.message}`
    );
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  const c = result.data;
  const dataDir = c.DATA_DIR.replace(/\/$/, "");
  return {
    ...c,
    KV_PATH: c.KV_PATH ?? `${dataDir}/kv.sqlite3`,
    NETFLOW_BIND_HOST: c.NETFLOW_BIND_HOST ?? c.HOST,
    ACTIONS_DIR: c.ACTIONS_DIR ?? `${dataDir}/actions`,
  };
}

/** Real environment wins over .env, as with every dotenv loader. */
export function loadConfig(envFile = ".env"): Config {
  let fileEnv: Record<string, string> = {};
  try {
    fileEnv = parseDotenv(Deno.readTextFileSync(envFile));
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return parseConfig({ ...fileEnv, ...Deno.env.toObject() });
}
