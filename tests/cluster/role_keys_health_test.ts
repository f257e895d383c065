// Logins by key and GET /health of roles without the web UI, with real processes: nats-server with
// users listed by nkey, and in operator mode (operator, account and user JWTs made by
// @nats-io/jwt); main.ts started per role with NATS_NKEY_SEED_FILE or NATS_CREDS. (a) A scanner
// logs in by nkey and answers /health with its roles, site, link and spool; a wrong or broken key
// ends its start with exit code 1 naming the setting; when NATS goes, /health says so (503).
// (b) Operator mode: scheduler,ingest and a scanner, each with its own .creds file, sweep a /29
// into PostgreSQL, and the central process's /health shows its database and KV as well.
import assert from "node:assert/strict";
import { createSubnet, SubnetInputSchema } from "@/services/ipam/mod.ts";
import { ENGINES } from "../support/test_db.ts";
import { freshDatabase } from "../support/fresh_database.ts";
import { type NatsServer, rangePort, startNats } from "../support/nats_server.ts";
import { nkeyServerConfig, operatorSetup, userKey } from "../support/nats_keys.ts";
import {
  ingestedSubnets,
  QUIET_ROLE_ENV,
  refusedStart,
  roleLauncher,
  type RoleProcess,
} from "../support/role_process.ts";

const CIDR = "127.0.93.0/29";

async function keyServer(dir: string, config: string): Promise<NatsServer> {
  await Deno.writeTextFile(`${dir}/server.conf`, config);
  const nats = startNats(dir, { configFile: `${dir}/server.conf`, port: rangePort(19300, 19399) });
  await nats.ready();
  return nats;
}

/** The role's /health URL, from its log line. */
async function healthUrl(p: RoleProcess): Promise<string> {
  return String((await p.waitFor((l) => l.msg === "health check listening")).url);
}

/** Asks /health until `pred` holds (at most 30 s); returns the last status and body. */
async function healthUntil(
  url: string,
  pred: (status: number, body: Record<string, unknown>) => boolean,
): Promise<{ status: number; body: Record<string, unknown> }> {
  let last = { status: 0, body: {} as Record<string, unknown> };
  for (let i = 0; i < 150; i++) {
    const res = await fetch(url).catch(() => null);
    if (res) last = { status: res.status, body: await res.json() };
    if (res && pred(last.status, last.body)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url}: still ${last.status} ${JSON.stringify(last.body)}`);
}

const ignore = { sanitizeOps: false, sanitizeResources: false };

Deno.test({
  name: "nkey login: a scanner answers /health with its link and spool; a wrong or broken key " +
    "exits 1 naming NATS_NKEY_SEED_FILE; /health turns 503 when NATS is gone",
  ...ignore,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "natsroles-nkey-" });
    const procs: RoleProcess[] = [];
    const scannerKey = userKey();
    const nats = await keyServer(dir, nkeyServerConfig([scannerKey.publicKey]));
    try {
      await Deno.writeTextFile(`${dir}/scanner.nk`, scannerKey.seed + "\n");
      await Deno.writeTextFile(`${dir}/stranger.nk`, userKey().seed + "\n");
      await Deno.writeTextFile(`${dir}/broken.nk`, "not a seed\n");
      const common = { ...QUIET_ROLE_ENV, NATS_URL: nats.url, ROLE: "scanner", SITE: "branch-7" };
      const role = roleLauncher(dir, common, procs);
      const scanner = role("scanner", { NATS_NKEY_SEED_FILE: `${dir}/scanner.nk` });
      await scanner.waitFor((l) => l.msg === "scanner waiting for sweep jobs");
      const url = await healthUrl(scanner);
      const up = await healthUntil(url, (s) => s === 200);
      assert.deepEqual(up.body.roles, ["scanner"]);
      assert.equal(up.body.site, "branch-7");
      assert.equal(up.body.nats, "connected");
      assert.equal(up.body.spool_pending, 0);
      assert.equal(up.body.kv, "ok");
      assert.equal(up.body.db, undefined, "a scanner has no database");
      assert.equal((await fetch(url.replace("/health", "/"))).status, 404);

      const wrong = await refusedStart(`${dir}/scanner`, {
        ...common,
        DATA_DIR: `${dir}/wrong`,
        NATS_NKEY_SEED_FILE: `${dir}/stranger.nk`,
      });
      assert.equal(wrong.code, 1, wrong.stderr);
      assert.match(wrong.stderr, /Authorization Violation.*NATS_NKEY_SEED_FILE/);
      const broken = await refusedStart(`${dir}/scanner`, {
        ...common,
        DATA_DIR: `${dir}/broken`,
        NATS_NKEY_SEED_FILE: `${dir}/broken.nk`,
      });
      assert.equal(broken.code, 1, broken.stderr);
      assert.match(
        broken.stderr,
        /^pingfold: NATS_NKEY_SEED_FILE \(.*broken\.nk\) holds no nkey seed/m,
      );
      assert.doesNotMatch(broken.stderr, /Uncaught/);

      nats.kill();
      const down = await healthUntil(url, (s) => s === 503);
      assert.equal(down.body.nats, "disconnected");
      assert.equal(down.body.status, "degraded");
    } finally {
      for (const p of procs) await p.kill("SIGKILL");
      nats.kill();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name: "operator mode: scheduler,ingest and a scanner with .creds files sweep a /29 into " +
    "PostgreSQL; the central process's /health shows NATS, database and KV",
  ignore: !ENGINES.includes("postgres"),
  ...ignore,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "natsroles-jwt-" });
    const procs: RoleProcess[] = [];
    const op = await operatorSetup();
    const nats = await keyServer(dir, op.config);
    try {
      await using pg = await freshDatabase("pf_nr_jwt");
      const subnet = await createSubnet(
        pg.db,
        SubnetInputSchema.parse({ cidr: CIDR, scan_enabled: true, site: "local" }),
      );
      await Deno.writeTextFile(`${dir}/central.creds`, await op.creds("central"));
      await Deno.writeTextFile(`${dir}/scanner.creds`, await op.creds("scanner"));
      const role = roleLauncher(dir, { ...QUIET_ROLE_ENV, NATS_URL: nats.url }, procs);
      const central = role("central", {
        ROLE: "scheduler,ingest",
        DATABASE_URL: pg.url,
        NATS_CREDS: `${dir}/central.creds`,
      });
      const scanner = role("scanner", {
        ROLE: "scanner",
        SITE: "local",
        NATS_CREDS: `${dir}/scanner.creds`,
      });
      assert.deepEqual(await ingestedSubnets(central, pg.db, CIDR), [subnet.id]);

      const health = await healthUntil(await healthUrl(central), (s) => s === 200);
      assert.deepEqual(health.body.roles, ["scheduler", "ingest"]);
      assert.equal(health.body.nats, "connected");
      assert.equal(health.body.db, "ok");
      assert.equal(health.body.kv, "ok");
      assert.equal(health.body.site, undefined, "no scanner here");
      const scannerHealth = await healthUntil(await healthUrl(scanner), (s) => s === 200);
      assert.equal(scannerHealth.body.spool_pending, 0);
      assert.equal(central.lines.some((l) => l.level === "error"), false);
    } finally {
      for (const p of procs) await p.kill("SIGKILL");
      nats.kill();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
