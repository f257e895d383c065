// The deployment files: both compose files validated by Debian's docker-compose (no engine
// needed), their roles and settings checked, and the NATS server config checked by nats-server.
import assert from "node:assert/strict";
import { parse } from "yaml";

const ROOT = new URL("../../", import.meta.url).pathname;

/** Throwaway values for every secret the compose file requires. */
const SECRETS = {
  POSTGRES_PASSWORD: "pg-secret",
  NATS_WEB_PASSWORD: "web-secret",
  NATS_SCHEDULER_PASSWORD: "scheduler-secret",
  NATS_INGEST_PASSWORD: "ingest-secret",
  NATS_SCANNER_PASSWORD: "scanner-secret",
  NATS_COLLECTOR_PASSWORD: "collector-secret",
};

async function run(cmd: string, args: string[], env: Record<string, string>) {
  const out = await new Deno.Command(cmd, {
    args,
    cwd: ROOT,
    // Only what the command needs: nothing of this process's environment leaks into the check.
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: "/tmp", ...env },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

const compose = (file: string, env: Record<string, string>, ...args: string[]) =>
  run("docker-compose", ["-f", file, ...args], env);

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string | null>;
  ports?: Array<string | { target: number; published?: number | string; protocol?: string }>;
  network_mode?: string;
  cap_add?: string[];
  cap_drop?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
}

/** Every role is watched: its health check asks GET /health on the PORT the role listens on. */
function assertHealthChecked(name: string, s: Service) {
  const port = s.environment?.PORT ?? "8000";
  assert.notEqual(s.healthcheck?.disable, true, `${name}: health check on`);
  assert.match(
    (s.healthcheck?.test ?? []).join(" "),
    new RegExp(`http://127\\.0\\.0\\.1:${port}/health`),
    `${name} asks its own /health on ${port}`,
  );
}

async function resolved(file: string, env: Record<string, string>) {
  const r = await compose(file, env, "config");
  assert.equal(r.code, 0, r.stderr);
  return parse(r.stdout) as { services: Record<string, Service> };
}

Deno.test("docker-compose.yml is valid and refuses to start without its secrets", async () => {
  const ok = await compose("docker-compose.yml", SECRETS, "config", "-q");
  assert.equal(ok.code, 0, ok.stderr);
  const bad = await compose("docker-compose.yml", {}, "config", "-q");
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /set (POSTGRES_PASSWORD|NATS_\w+_PASSWORD)/);
});

Deno.test("docker-compose.yml runs every role on PostgreSQL and NATS JetStream", async () => {
  const { services } = await resolved("docker-compose.yml", SECRETS);
  assert.deepEqual(Object.keys(services).sort(), [
    "collector",
    "ingest",
    "nats",
    "postgres",
    "scanner",
    "scheduler",
    "web",
  ]);
  assert.ok(services.nats.command?.includes("-js"), "NATS runs with JetStream (-js)");
  assert.match(services.postgres.image ?? "", /^postgres:/);

  const env = (name: string) => services[name].environment ?? {};
  for (const role of ["web", "scheduler", "ingest", "scanner", "collector"]) {
    assert.equal(env(role).ROLE, role, `${role} runs ROLE=${role}`);
    assert.match(env(role).NATS_URL ?? "", /^nats:\/\//, `${role} talks to NATS`);
    assert.equal(env(role).NATS_USER, role, `${role} has its own NATS user`);
    assert.equal(
      env(role).NATS_PASSWORD,
      SECRETS[`NATS_${role.toUpperCase()}_PASSWORD` as keyof typeof SECRETS],
    );
  }
  // Only the roles that read or write SQL get the database; scanner and collector never see its
  // password (their results and flows go through NATS to the ingest).
  for (const role of ["web", "scheduler", "ingest"]) {
    assert.equal(
      env(role).DATABASE_URL,
      "postgres://pingfold:pg-secret@postgres:5432/pingfold",
    );
    assert.equal(services[role].depends_on?.postgres?.condition, "service_healthy");
  }
  // Scanner and collector open no database: a remote site needs to reach NATS only.
  for (const role of ["scanner", "collector"]) {
    assert.equal(env(role).DATABASE_URL, undefined);
    assert.equal(services[role].depends_on?.postgres, undefined);
  }
  assert.equal(env("collector").SITE, "local");
  for (const role of ["web", "scheduler", "ingest"]) assert.equal(env(role).STATE_STORE, "nats");

  // The local scanner: the host's network for ICMP and neighbours, NET_RAW and nothing else.
  assert.equal(services.scanner.network_mode, "host");
  assert.deepEqual(services.scanner.cap_add, ["NET_RAW"]);
  assert.deepEqual(services.scanner.cap_drop, ["ALL"]);
  assert.equal(env("scanner").SITE, "local");
  // The collector listens on UDP 2055; the web UI on 8000.
  const published = (name: string) =>
    (services[name].ports ?? []).map((p) =>
      typeof p === "string" ? p : `${p.published}:${p.target}/${p.protocol ?? "tcp"}`
    );
  assert.deepEqual(published("collector"), ["2055:2055/udp"]);
  assert.deepEqual(published("web"), ["8000:8000/tcp"]);
  assert.equal(env("collector").NETFLOW_BIND_HOST, "0.0.0.0");
  for (const role of ["web", "scheduler", "ingest", "scanner", "collector"]) {
    assertHealthChecked(role, services[role]);
  }
});

Deno.test("docker-compose.remote.yml: a scanner that needs only NATS, its site and credentials", async () => {
  const missing = await compose("docker-compose.remote.yml", {}, "config", "-q");
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /set (SITE|NATS_URL)/);

  const env = { SITE: "branch-2", NATS_URL: "tls://nats.example.net:4222" };
  const ok = await compose("docker-compose.remote.yml", env, "config", "-q");
  assert.equal(ok.code, 0, ok.stderr);
  const { services } = await resolved("docker-compose.remote.yml", {
    ...env,
    NATS_CREDS: "/run/secrets/scanner.creds",
  });
  assert.deepEqual(Object.keys(services), ["scanner"]);
  const s = services.scanner;
  assert.equal(s.environment?.ROLE, "scanner");
  assert.equal(s.environment?.SITE, "branch-2");
  assert.equal(s.environment?.NATS_URL, "tls://nats.example.net:4222");
  assert.equal(s.environment?.NATS_CREDS, "/run/secrets/scanner.creds");
  // Settings left unset are not passed (an empty value would be refused at start-up).
  assert.equal(s.environment?.NATS_USER ?? null, null);
  assert.equal(s.environment?.DATABASE_URL, undefined);
  assert.deepEqual(s.cap_add, ["NET_RAW"]);
  assertHealthChecked("remote scanner", s);
});

Deno.test("deploy/nats/nats.conf is valid for nats-server, one user per role", async () => {
  const r = await run("nats-server", ["-c", "deploy/nats/nats.conf", "-t"], SECRETS);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const text = await Deno.readTextFile(`${ROOT}deploy/nats/nats.conf`);
  for (const role of ["web", "scheduler", "ingest", "scanner", "collector"]) {
    assert.match(
      text,
      new RegExp(`user: ${role}\\n\\s+password: \\$NATS_${role.toUpperCase()}_PASSWORD`),
    );
  }
  // Names of docs/scale-out.md: a scanner reads only its own site's jobs and writes its results.
  const scanner = text.slice(text.indexOf("user: scanner"), text.indexOf("user: collector"));
  assert.match(scanner, /"pingfold\.results\.local"/);
  assert.match(scanner, /"\$JS\.API\.CONSUMER\.MSG\.NEXT\.PINGFOLD_JOBS_local\.scanners"/);
  assert.doesNotMatch(scanner, /pingfold\.jobs\.|\$KV\.|MSG\.NEXT\.PINGFOLD_RESULTS/);
  // A collector publishes only its own site's flows; the ingest reads them from `flow-ingest`.
  const collector = text.slice(text.indexOf("user: collector"));
  assert.match(collector, /"pingfold\.flows\.local"/);
  assert.doesNotMatch(collector, /\$KV\.|MSG\.NEXT\.|pingfold\.results\./);
  const ingest = text.slice(text.indexOf("user: ingest"), text.indexOf("user: scanner"));
  assert.match(ingest, /"\$JS\.API\.CONSUMER\.MSG\.NEXT\.PINGFOLD_FLOWS\.flow-ingest"/);
  const web = text.slice(text.indexOf("user: web"), text.indexOf("user: scheduler"));
  assert.match(web, /subscribe: \["_INBOX\.>", "pingfold\.events\.>"\]/);
  // Without the passwords in its environment the server refuses the file.
  const bare = await run("nats-server", ["-c", "deploy/nats/nats.conf", "-t"], {});
  assert.notEqual(bare.code, 0);
});
