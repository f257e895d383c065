// Runs scripts/user.ts and scripts/token.ts as a user would, against an embedded PGlite in a temp dir.
import assert from "node:assert/strict";
import { openKvStateStore, openPglite } from "@/services/store/mod.ts";
import {
  authenticate,
  authenticateToken,
  createSession,
  findUserByUsername,
  getSession,
} from "@/services/auth/mod.ts";

const CONFIG = new URL("../../deno.json", import.meta.url).pathname;
const USER = new URL("../../scripts/user.ts", import.meta.url).pathname;
const TOKEN = new URL("../../scripts/token.ts", import.meta.url).pathname;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(dataDir: string, script: string, args: string[], stdin?: string): Promise<Run> {
  const env: Record<string, string> = { DATA_DIR: dataDir, NO_COLOR: "1" };
  // Only what Deno needs to find itself and its cache; no DATABASE_URL or ADMIN_PASSWORD leaks in.
  for (const name of ["HOME", "PATH", "DENO_DIR", "XDG_CACHE_HOME"]) {
    const v = Deno.env.get(name);
    if (v !== undefined) env[name] = v;
  }
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", CONFIG, script, ...args],
    cwd: dataDir, // so no .env from the repo is read
    clearEnv: true,
    env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  if (stdin !== undefined) await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

function ok(r: Run): Run {
  assert.equal(
    r.code,
    0,
    `expected success, got ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`,
  );
  return r;
}

function failed(r: Run, message: RegExp): void {
  assert.equal(r.code, 1, `expected exit 1\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, /^\s+at /m, "no stack trace for a user error");
}

async function inDb<T>(
  dataDir: string,
  fn: (db: Awaited<ReturnType<typeof openPglite>>) => Promise<T>,
) {
  const db = await openPglite(`${dataDir}/pglite`);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

Deno.test({
  name: "user and token CLIs manage accounts and tokens in an embedded database",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "pingfold_cli_" });
    try {
      await t.step("user add with --password and with a password on stdin", async () => {
        const a = ok(
          await run(dir, USER, [
            "add",
            "alice",
            "--role",
            "editor",
            "--password",
            "alice-pass-123",
          ]),
        );
        assert.match(a.stdout, /created editor "alice"/);
        const b = ok(await run(dir, USER, ["add", "bob"], "bob-password-1\n"));
        assert.match(b.stdout, /created viewer "bob"/);
      });

      await t.step("user add refuses a duplicate, a weak password and a bad role", async () => {
        failed(
          await run(dir, USER, ["add", "ALICE", "--password", "another-pass-1"]),
          /^error: username "ALICE" is already taken/,
        );
        failed(
          await run(dir, USER, ["add", "carol", "--password", "short"]),
          /error: password is too short/,
        );
        failed(
          await run(dir, USER, ["add", "carol", "--role", "root", "--password", "x"]),
          /invalid --role "root"/,
        );
        failed(await run(dir, USER, ["add", "carol"], ""), /no password given/);
        failed(await run(dir, USER, ["frob"]), /unknown command "frob"/);
      });

      await t.step("user list shows both accounts, as a table and as JSON", async () => {
        const table = ok(await run(dir, USER, ["list"])).stdout;
        assert.match(table, /\balice\s+editor\b/);
        assert.match(table, /\bbob\s+viewer\b/);
        const json = JSON.parse(ok(await run(dir, USER, ["list", "--json"])).stdout);
        assert.deepEqual(
          json.map((u: { username: string; role: string }) => [u.username, u.role]),
          [
            ["alice", "editor"],
            ["bob", "viewer"],
          ],
        );
        assert.ok(!JSON.stringify(json).includes("argon2"), "no password hashes in the listing");
      });

      await t.step("user passwd changes the password and ends the user's sessions", async () => {
        const aliceId = (await inDb(dir, (db) => findUserByUsername(db, "alice")))!.id;
        let kv = await openKvStateStore(`${dir}/kv.sqlite3`);
        const session = await createSession(kv, {
          userId: aliceId,
          ttlMs: 3_600_000,
          idleMs: 600_000,
        });
        kv.close();

        const r = ok(await run(dir, USER, ["passwd", "alice"], "alice-new-pass-9\n"));
        assert.match(r.stdout, /password changed for "alice"; 1 session\(s\) ended/);

        kv = await openKvStateStore(`${dir}/kv.sqlite3`);
        try {
          assert.equal(await getSession(kv, session.id, { idleMs: 600_000 }), null);
        } finally {
          kv.close();
        }
        await inDb(dir, async (db) => {
          assert.equal(await authenticate(db, "alice", "alice-pass-123"), null);
          assert.equal((await authenticate(db, "alice", "alice-new-pass-9"))?.username, "alice");
        });
        failed(
          await run(dir, USER, ["passwd", "nobody", "--password", "whatever-123"]),
          /no user named "nobody"/,
        );
      });

      let revoked = "";
      let kept = "";
      await t.step("token create prints only the token on stdout", async () => {
        const r = ok(await run(dir, TOKEN, ["create", "--user", "alice", "--name", "backup"]));
        revoked = r.stdout.trim();
        assert.match(revoked, /^pf_[A-Za-z0-9_-]{43}$/);
        assert.match(r.stderr, /cannot be shown again/);
        kept = ok(await run(dir, TOKEN, ["create", "--user", "alice", "--name", "monitor"])).stdout
          .trim();
        failed(await run(dir, TOKEN, ["create", "--user", "ghost"]), /no user named "ghost"/);
        failed(await run(dir, TOKEN, ["create"]), /missing --user/);
      });

      await t.step(
        "token list shows prefixes, never whole tokens; revoke disables one",
        async () => {
          const list = ok(await run(dir, TOKEN, ["list"])).stdout;
          assert.ok(list.includes(revoked.slice(0, 10)));
          assert.ok(list.includes("backup") && list.includes("monitor") && list.includes("alice"));
          assert.ok(!list.includes(revoked) && !list.includes(kept));
          const json = JSON.parse(ok(await run(dir, TOKEN, ["list", "--json"])).stdout);
          const id = json.find((x: { name: string }) => x.name === "backup").id;

          assert.match(
            ok(await run(dir, TOKEN, ["revoke", String(id)])).stdout,
            new RegExp(`revoked token ${id}`),
          );
          failed(await run(dir, TOKEN, ["revoke", "9999"]), /API token 9999 not found/);
          failed(await run(dir, TOKEN, ["revoke", "abc"]), /needs a token ID/);
          await inDb(dir, async (db) => {
            assert.equal(await authenticateToken(db, revoked), null);
            assert.equal((await authenticateToken(db, kept))?.username, "alice");
          });
        },
      );

      await t.step("user delete removes the account", async () => {
        assert.match(ok(await run(dir, USER, ["delete", "bob"])).stdout, /deleted "bob"/);
        const list = ok(await run(dir, USER, ["list"])).stdout;
        assert.doesNotMatch(list, /\bbob\b/);
        assert.match(list, /\balice\b/);
        failed(await run(dir, USER, ["delete", "bob"]), /no user named "bob"/);
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
