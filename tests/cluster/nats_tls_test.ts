// Scale-out over TLS, with real processes: a throwaway CA from openssl, nats-server requiring TLS
// with client certificates (verify: true), JetStream and a password, and main.ts started as
// ROLE=scheduler,ingest and as ROLE=scanner with only environment settings (NATS_URL=tls://…,
// NATS_TLS_CA/CERT/KEY, NATS_USER/NATS_PASSWORD, DATABASE_URL). (a) A loopback /29 is swept and
// ingested through TLS; (b) a scanner without a client certificate, and one with the wrong CA,
// exit 1 with a message naming the NATS_TLS_* setting to fix.
import assert from "node:assert/strict";
import { createSubnet, SubnetInputSchema } from "@/services/ipam/mod.ts";
import { ENGINES } from "../support/test_db.ts";
import { freshDatabase } from "../support/fresh_database.ts";
import { makeTestPki, startTlsNats, type TlsNats } from "../support/nats_tls_server.ts";
import {
  ingestedSubnets,
  QUIET_ROLE_ENV,
  refusedStart,
  type RoleProcess,
  startRole,
} from "../support/role_process.ts";

const CIDR = "127.0.87.0/29";
const AUTH = { user: "pf", pass: "tls-secret" };

interface Connz {
  connections: Array<{ name?: string; tls_version?: string; authorized_user?: string }>;
}

Deno.test({
  name:
    "cluster over TLS NATS: scheduler,ingest and scanner processes sweep a /29 and ingest it; " +
    "a scanner without a client certificate or with the wrong CA exits naming NATS_TLS_*",
  ignore: !ENGINES.includes("postgres"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "natstls-" });
    const procs: RoleProcess[] = [];
    let nats: TlsNats | undefined;
    try {
      const pki = await makeTestPki(`${dir}/pki`);
      nats = await startTlsNats(dir, pki, AUTH);
      await using pg = await freshDatabase("pf_natstls");
      const subnet = await createSubnet(
        pg.db,
        SubnetInputSchema.parse({ cidr: CIDR, scan_enabled: true, site: "local" }),
      );
      const natsEnv = {
        NATS_URL: nats.tlsUrl,
        NATS_USER: AUTH.user,
        NATS_PASSWORD: AUTH.pass,
        NATS_TLS_CA: pki.ca,
        NATS_TLS_CERT: pki.client.cert,
        NATS_TLS_KEY: pki.client.key,
        ...QUIET_ROLE_ENV,
      };
      const cwdOf = (name: string) => {
        const cwd = `${dir}/${name}`;
        Deno.mkdirSync(cwd, { recursive: true });
        return cwd;
      };
      const role = (name: string, env: Record<string, string>) => {
        const p = startRole(name, cwdOf(name), { ...natsEnv, ...env });
        procs.push(p);
        return p;
      };

      // (a) The central roles with the database; the scanner as at a remote site: NATS only.
      const central = role("central", { ROLE: "scheduler,ingest", DATABASE_URL: pg.url });
      const scanner = role("scanner", { ROLE: "scanner", SITE: "local" });
      await scanner.waitFor((l) => l.msg === "scanner waiting for sweep jobs");
      assert.deepEqual(await ingestedSubnets(central, pg.db, CIDR), [subnet.id]);
      // The first batch of status rows (a batch shares its ts) is that sweep's.
      const rows = await pg.db.query<{ ip: string }>(
        `select host(h.ip) as ip from host_status s join host h on h.id = s.host_id
         where h.ip <<= $1::cidr and s.ts = (select min(s2.ts) from host_status s2
           join host h2 on h2.id = s2.host_id where h2.ip <<= $1::cidr)
         order by h.ip`,
        [CIDR],
      );
      assert.deepEqual(
        rows.map((r) => r.ip),
        [1, 2, 3, 4, 5, 6].map((i) => `127.0.87.${i}`),
        "one status row per address of the /29, from the first result",
      );
      // Both processes are connected through TLS, as the password's user.
      const connz: Connz = await (await fetch(`${nats.monitorUrl}/connz?auth=true`)).json();
      const ours = connz.connections.filter((c) => c.name?.startsWith("pingfold "));
      const names = ours.map((c) => c.name).sort();
      assert.ok(names.includes("pingfold scanner local"), `connections: ${names.join("; ")}`);
      assert.ok(
        names.some((n) => n?.startsWith("pingfold scheduler,ingest")),
        `connections: ${names.join("; ")}`,
      );
      for (const c of ours) {
        assert.match(c.tls_version ?? "", /^1\.[23]$/, `${c.name} talks TLS`);
        assert.equal(c.authorized_user, AUTH.user);
      }

      // (b) Refusals: the server wants a client certificate; the CA must be the server's.
      const { NATS_TLS_CERT: _cert, NATS_TLS_KEY: _key, ...withoutCert } = natsEnv;
      for (let i = 0; i < 2; i++) {
        const noCert = await refusedStart(cwdOf(`nocert${i}`), {
          ...withoutCert,
          ROLE: "scanner",
          SITE: "local",
        });
        assert.equal(noCert.code, 1, noCert.stderr);
        assert.match(noCert.stderr, /^pingfold: NATS_URL=tls:\/\/127\.0\.0\.1:\d+: /m);
        assert.match(
          noCert.stderr,
          /refused the TLS connection: .*set NATS_TLS_CERT and NATS_TLS_KEY/,
        );
        assert.doesNotMatch(noCert.stderr, /Uncaught|ECONNRESET/);
        const wrongCa = await refusedStart(cwdOf(`wrongca${i}`), {
          ...natsEnv,
          ROLE: "scanner",
          SITE: "local",
          NATS_TLS_CA: pki.otherCa,
        });
        assert.equal(wrongCa.code, 1, wrongCa.stderr);
        assert.match(
          wrongCa.stderr,
          /not signed by the CA in NATS_TLS_CA \(.*other-ca\.pem\).*set NATS_TLS_CA/,
        );
        assert.doesNotMatch(wrongCa.stderr, /Uncaught|ECONNRESET/);
      }
      // The refusals left the running roles alone: both still connected.
      assert.equal(central.lines.some((l) => l.level === "error"), false);
      assert.equal(scanner.lines.some((l) => l.level === "error"), false);
    } finally {
      for (const p of procs) await p.kill("SIGKILL");
      nats?.kill();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
