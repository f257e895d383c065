// The one typed configuration object, read once from the environment and an optional .env file.
import { z } from "zod";
import { parse as parseDotenv } from "dotenv";
import { parseCidr, parseIp } from "@/services/ipam/mod.ts";

/** Case does not matter ("TRUE", "Yes", "on"). */
const bool = z.string().trim().toLowerCase()
  .pipe(z.enum(["0", "1", "true", "false", "yes", "no", "on", "off", ""]))
  .transform((v) => ["1", "true", "yes", "on"].includes(v));
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

/** What a process does (ROLE); `all` is the single box: every role, in one process. */
export const ROLES = ["web", "scheduler", "scanner", "collector", "ingest"] as const;
export type Role = typeof ROLES[number];

/** "all" or a comma separated list of roles; each role once, none unknown. */
function parseRoles(text: string, ctx: z.RefinementCtx): Role[] {
  const items = text.split(",").map((r) => r.trim().toLowerCase()).filter(Boolean);
  if (items.length === 0 || (items.length === 1 && items[0] === "all")) return [...ROLES];
  const out: Role[] = [];
  for (const item of items) {
    if (item === "all") {
      ctx.addIssue({ code: "custom", message: `"all" cannot be combined with other roles` });
    } else if (!(ROLES as readonly string[]).includes(item)) {
      ctx.addIssue({
        code: "custom",
        message: `unknown role "${item}": expected all or a comma separated list of ${
          ROLES.join(", ")
        }`,
      });
    } else if (!out.includes(item as Role)) out.push(item as Role);
  }
  return out;
}

/** A file path given in an env variable; it must exist and be readable at start-up. */
const readableFile = z.string().min(1).refine((path) => {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}, "file not found or not readable");

/** One line per setting: add a variable here and it is typed, defaulted and validated. */
export const ConfigSchema = z.object({
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: int(0, 65535).default(8000),
  DATA_DIR: z.string().min(1).default("./data"),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must start with postgres://").optional(),
  KV_PATH: z.string().min(1).optional(),
  /** PGlite's page cache inside its WebAssembly heap (Postgres' own default, 128 MB, doubles RSS). */
  PGLITE_SHARED_BUFFERS_MB: int(1, 4096).default(16),
  /** How long one KV scan of every host's state serves readers (0: read KV on every request). */
  HOST_STATE_CACHE_MS: int(0, 60_000).default(1000),
  MEMORY_TRIM_SECONDS: int(0, 3600).default(10),
  /**
   * How long one read of the dashboard's data, of a host-list page or of an API token's owner
   * serves identical requests (0: every request reads). Writes through this process forget them.
   */
  READ_CACHE_MS: int(0, 60_000).default(1000),
  ADMIN_PASSWORD: z.string().min(1).optional(),
  DISABLE_SCHEDULER: bool.default(false),
  /** Which parts this process runs; see ROLES. Anything but `all` needs NATS_URL. */
  ROLE: z.string().default("all").transform(parseRoles),
  /** The site this process's scanner sweeps (a NATS subject token: letters, digits, - and _). */
  SITE: z.string().regex(
    /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/,
    "must be 1-63 letters, digits, - or _ (it names a NATS subject), e.g. local or branch-2",
  ).default("local"),
  /** NATS servers (comma separated nats:// or tls:// URLs); unset: the single box, no NATS. */
  NATS_URL: z.string().regex(
    /^(nats|tls|wss?):\/\/[^\s,]+(,\s*(nats|tls|wss?):\/\/[^\s,]+)*$/,
    "must be one or more comma separated nats:// or tls:// URLs",
  ).optional(),
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD: z.string().min(1).optional(),
  /** A NATS credentials file (JWT + nkey seed), as written by nsc. */
  NATS_CREDS: readableFile.optional(),
  /** A file with a user nkey seed (SU…), for a server whose users are listed by nkey. */
  NATS_NKEY_SEED_FILE: readableFile.optional(),
  NATS_TLS_CA: readableFile.optional(),
  NATS_TLS_CERT: readableFile.optional(),
  NATS_TLS_KEY: readableFile.optional(),
  /**
   * Where current state, leases, sessions and live events live: kv (Deno KV at KV_PATH, one
   * process) or nats (NATS KV buckets, shared by every process). Unset: nats when NATS_URL is set.
   */
  STATE_STORE: z.enum(["kv", "nats"]).optional(),
  /** How many NATS servers keep each stream and bucket (3 on a 3-node cluster). */
  NATS_REPLICAS: int(1, 5).default(1),
  /** The scheduler lease: another scheduler takes over this long after the active one died. */
  SCHEDULER_LEASE_SECONDS: int(3, 600).default(15),
  /** Case does not matter: `DEBUG`, `Debug` and `debug` are one level. */
  LOG_LEVEL: z.string().trim().toLowerCase().pipe(z.enum(["debug", "info", "warn", "error"]))
    .default("info"),
  TRUST_PROXY: bool.default(false),
  TRUSTED_PROXIES: cidrList("127.0.0.0/8,::1/128"),
  SESSION_TTL_HOURS: int(1, 24 * 90).default(24 * 7),
  SESSION_IDLE_MINUTES: int(1, 24 * 60 * 30).default(12 * 60),
  MAX_BODY_BYTES: int(1024, 1024 * 1024 * 1024).default(1024 * 1024),
  MAX_UPLOAD_BYTES: int(1024, 1024 * 1024 * 1024).default(20 * 1024 * 1024),
  LOGIN_MAX_ATTEMPTS: int(1, 1000).default(5),
  LOGIN_WINDOW_SECONDS: int(1, 86400).default(15 * 60),
  LOGIN_SLOWDOWN_MAX_MS: int(0, 60_000).default(3000),
  /**
   * How often known hosts are pinged between full sweeps (the known-host cycle); also the shortest
   * interval a subnet is swept at, and below 60 the scheduler's tick.
   */
  SCAN_ICMP_INTERVAL_SECONDS: z.coerce.number().int("must be whole seconds")
    .min(5, "must be at least 5 (seconds between checks of known hosts)")
    .max(86400, "must be at most 86400 (a day)").default(60),
  /** The sweep interval a new subnet gets when none is given (form, API, CSV import). */
  SCAN_SWEEP_INTERVAL_MINUTES: int(1, 7 * 24 * 60).default(5),
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
  // Bounded on-disk spool for bursts the database cannot take yet (default DATA_DIR/netflow-spool).
  NETFLOW_SPOOL_DIR: z.string().min(1).optional(),
  NETFLOW_SPOOL_MAX_BYTES: int(1024 * 1024, 1024 * 1024 * 1024 * 1024).default(1024 * 1024 * 1024),
  // Receive batches in flight to the database before the spool takes the next; 0 = every batch is
  // written to the spool first (survives kill -9, costs a disk write and read per batch).
  NETFLOW_SPOOL_WINDOW: int(0, 1024).default(8),
  NETFLOW_SPOOL_BATCH_BYTES: int(70_000, 64 * 1024 * 1024).default(1024 * 1024),
  ACTIONS_DIR: z.string().min(1).optional(),
  ACTION_MAX_CONCURRENT: int(1, 64).default(4),
  ACTION_OUTPUT_MAX_BYTES: int(1024, 16 * 1024 * 1024).default(256 * 1024),
  ADHOC_RATE_PER_MINUTE: int(1, 100_000).default(30),
  ALERT_TARGET_ALLOW: cidrList(),
  ALERT_PUBLIC_URL: z.union([z.literal(""), z.url({ protocol: /^https?$/ })]).default(""),
  ALERT_DELIVERY_TIMEOUT_MS: int(100, 120_000).default(10_000),
  ALERT_DELIVERY_CONCURRENCY: int(1, 256).default(8),
  ALERT_TARGET_CONCURRENCY: int(1, 64).default(2),
  ALERT_MAX_ATTEMPTS: int(1, 50).default(8),
  ALERT_RETRY_BASE_MS: int(10, 3_600_000).default(5_000),
  ALERT_RETRY_MAX_MS: int(10, 86_400_000).default(3_600_000),
  ALERT_POLL_MS: int(10, 60_000).default(1_000),
  ALERT_SMTP_URL: z.string().regex(/^smtps?:\/\//, "must start with smtp:// or smtps://")
    .optional(),
  ALERT_SMTP_FROM: z.string().min(3).default("pingfold@localhost"),
  ALERT_SCAN_FAILING_AFTER: int(1, 100).default(3),
  ALERT_EXPORTER_SILENT_MINUTES: int(1, 10_080).default(15),
  ALERT_CHECK_INTERVAL_SECONDS: int(1, 3600).default(60),
}).superRefine((c, ctx) => {
  const roles = c.ROLE;
  if (roles.length < ROLES.length && !c.NATS_URL) {
    ctx.addIssue({
      code: "custom",
      path: ["ROLE"],
      message: `ROLE=${
        roles.join(",")
      } splits Pingfold across processes, which talk through NATS: set NATS_URL (e.g. nats://127.0.0.1:4222) or use ROLE=all`,
    });
  }
  if (c.STATE_STORE === "nats" && !c.NATS_URL) {
    ctx.addIssue({
      code: "custom",
      path: ["STATE_STORE"],
      message: "STATE_STORE=nats keeps the current state in NATS KV: set NATS_URL",
    });
  }
  if (Boolean(c.NATS_USER) !== Boolean(c.NATS_PASSWORD)) {
    ctx.addIssue({
      code: "custom",
      path: [c.NATS_USER ? "NATS_PASSWORD" : "NATS_USER"],
      message: "NATS_USER and NATS_PASSWORD go together",
    });
  }
  if (Boolean(c.NATS_TLS_CERT) !== Boolean(c.NATS_TLS_KEY)) {
    ctx.addIssue({
      code: "custom",
      path: [c.NATS_TLS_CERT ? "NATS_TLS_KEY" : "NATS_TLS_CERT"],
      message: "a TLS client certificate needs both NATS_TLS_CERT and NATS_TLS_KEY",
    });
  }
  const logins = [
    c.NATS_USER && "NATS_USER/NATS_PASSWORD",
    c.NATS_CREDS && "NATS_CREDS",
    c.NATS_NKEY_SEED_FILE && "NATS_NKEY_SEED_FILE",
  ].filter(Boolean);
  if (logins.length > 1) {
    ctx.addIssue({
      code: "custom",
      path: [c.NATS_CREDS ? "NATS_CREDS" : "NATS_NKEY_SEED_FILE"],
      message: `give one NATS login, not ${logins.join(" and ")}`,
    });
  }
});

/** True when this process runs `role` (ROLE=all runs every role). */
export const hasRole = (cfg: Pick<Config, "ROLE">, role: Role): boolean => cfg.ROLE.includes(role);

/** Scaled out: the roles talk through NATS JetStream instead of in-process calls. */
export const isClustered = (cfg: Pick<Config, "NATS_URL">): boolean => Boolean(cfg.NATS_URL);

export type Config =
  & Omit<
    z.infer<typeof ConfigSchema>,
    "NETFLOW_BIND_HOST" | "ACTIONS_DIR" | "STATE_STORE" | "NETFLOW_SPOOL_DIR"
  >
  & {
    KV_PATH: string;
    STATE_STORE: "kv" | "nats";
    NETFLOW_BIND_HOST: string;
    ACTIONS_DIR: string;
    NETFLOW_SPOOL_DIR: string;
  };

export class ConfigError extends Error {}

/**
 * Prefixes only Pingfold's settings use: a variable with one of them that the schema does not
 * know is most likely a typo or a setting of another version, and is named in a warning at start.
 */
const OWN_PREFIXES = [
  "SCAN_",
  "NETFLOW_",
  "NMAP_",
  "PTR_",
  "PING_",
  "ARP_",
  "SNMP_",
  "ALERT_",
  "ACTION_",
  "ACTIONS_",
  "LOGIN_",
  "SESSION_",
  "HISTORY_",
  "ADHOC_",
  "DUMP_",
];
/** Variables nmap itself reads; they look like ours but are not. */
const FOREIGN = new Set(["NMAP_PRIVILEGED", "NMAP_UNPRIVILEGED"]);

/** Variables that look like Pingfold settings but are none (nothing reads them). */
export function unknownSettings(env: Record<string, string | undefined>): string[] {
  const known = new Set(Object.keys(ConfigSchema.shape));
  return Object.keys(env).filter((k) =>
    !known.has(k) && !FOREIGN.has(k) && OWN_PREFIXES.some((p) => k.startsWith(p))
  ).sort();
}

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
  if (c.SCAN_SWEEP_INTERVAL_MINUTES * 60 < c.SCAN_ICMP_INTERVAL_SECONDS) {
    throw new ConfigError(
      `invalid configuration:\n  SCAN_SWEEP_INTERVAL_MINUTES=${c.SCAN_SWEEP_INTERVAL_MINUTES}: ` +
        `new subnets would be swept every ${c.SCAN_SWEEP_INTERVAL_MINUTES * 60} s, more often ` +
        `than known hosts are checked (SCAN_ICMP_INTERVAL_SECONDS=${c.SCAN_ICMP_INTERVAL_SECONDS}); ` +
        `a full sweep pings the known hosts too, so raise SCAN_SWEEP_INTERVAL_MINUTES to at least ` +
        `${Math.ceil(c.SCAN_ICMP_INTERVAL_SECONDS / 60)} or lower SCAN_ICMP_INTERVAL_SECONDS`,
    );
  }
  const dataDir = c.DATA_DIR.replace(/\/$/, "");
  return {
    ...c,
    KV_PATH: c.KV_PATH ?? `${dataDir}/kv.sqlite3`,
    STATE_STORE: c.STATE_STORE ?? (c.NATS_URL ? "nats" : "kv"),
    NETFLOW_BIND_HOST: c.NETFLOW_BIND_HOST ?? c.HOST,
    ACTIONS_DIR: c.ACTIONS_DIR ?? `${dataDir}/actions`,
    NETFLOW_SPOOL_DIR: c.NETFLOW_SPOOL_DIR ?? `${dataDir}/netflow-spool`,
  };
}

/** The environment Pingfold reads: the real environment wins over .env, as with every loader. */
export function readEnv(envFile = ".env"): Record<string, string> {
  let fileEnv: Record<string, string> = {};
  try {
    fileEnv = parseDotenv(Deno.readTextFileSync(envFile));
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return { ...fileEnv, ...Deno.env.toObject() };
}

export function loadConfig(envFile = ".env"): Config {
  return parseConfig(readEnv(envFile));
}
