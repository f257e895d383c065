// Redirects after login, proxy headers, and login throttling that an attacker cannot turn against
// the real admin.
import assert from "node:assert/strict";
import {
  appTest,
  cookieFrom,
  TEST_ADMIN_PASSWORD,
  type TestApp,
} from "@/tests/support/test_app.ts";
import { clientFromForwarded, parseCidrList } from "@/web/client_ip.ts";
import { loginDelayMs } from "@/web/login_flow.ts";

/** A request as if it came over a socket from `peer` (what getConnInfo reads in Deno). */
function from(t: TestApp, peer: string, path: string, init: RequestInit = {}) {
  return t.app.request(path, init, {
    remoteAddr: { hostname: peer, port: 40000, transport: "tcp" },
  });
}

function jsonLogin(
  t: TestApp,
  peer: string,
  password: string,
  headers: Record<string, string> = {},
) {
  return from(t, peer, "/api/v1/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ username: "admin", password }),
  });
}

async function lastLoginAddress(t: TestApp): Promise<string | null> {
  const rows = await t.db.query<{ client_ip: string | null }>(
    "select client_ip from audit_log where action in ('login', 'login_failed') order by id desc limit 1",
  );
  return rows[0]?.client_ip ?? null;
}

/** Logs in through the HTML form with `next` and returns the Location it redirects to. */
async function formLoginNext(t: TestApp, peer: string, next: string): Promise<string | null> {
  const form = await from(t, peer, "/login");
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1];
  const res = await from(t, peer, "/login", {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      cookie: cookieFrom(form, "pf_login_csrf"),
    },
    body: new URLSearchParams({
      _csrf: csrf,
      username: "admin",
      password: TEST_ADMIN_PASSWORD,
      next,
    }),
  });
  assert.equal(res.status, 303, `login with next=${JSON.stringify(next)}`);
  return res.headers.get("location");
}

appTest("after login only same-origin paths are followed", async (t) => {
  const forms: [string, string][] = [
    ["/subnets/1", "/subnets/1"],
    ["/hosts?q=web", "/hosts?q=web"],
    ["//evil.example/x", "/"],
    ["/\\evil.example/x", "/"],
    ["\\/evil.example", "/"],
    ["/%2F/evil.example", "/"],
    ["/%5Cevil.example", "/"],
    ["/%252F%252Fevil.example", "/"],
    ["https://evil.example/", "/"],
    ["javascript:alert(1)", "/"],
    ["/\t/evil.example", "/"],
    ["/%0d%0aSet-Cookie:x=1", "/"],
    ["evil.example", "/"],
  ];
  let i = 0;
  for (const [next, want] of forms) {
    // Each from its own address, so the per-address throttle stays out of the way.
    assert.equal(await formLoginNext(t, `127.0.1.${++i}`, next), want, next);
  }
  // The form carries only a safe next onward.
  const page = await (await t.app.request("/login?next=/%5Cevil.example")).text();
  assert.match(page, /name="next" value="\/"/);
});

Deno.test("X-Forwarded-For: the right-most entry that is not a trusted proxy", () => {
  const ranges = parseCidrList("127.0.0.0/8,::1/128,10.10.0.0/16");
  assert.equal(clientFromForwarded("6.6.6.6, 198.18.0.7", ranges), "198.18.0.7");
  assert.equal(clientFromForwarded("198.18.0.7, 10.10.0.2, 127.0.0.1", ranges), "198.18.0.7");
  assert.equal(clientFromForwarded("127.0.0.1, 10.10.0.3", ranges), "127.0.0.1");
  assert.equal(clientFromForwarded("::ffff:198.18.0.9", ranges), "198.18.0.9");
  assert.equal(clientFromForwarded("[2001:db8::5]:4711", ranges), "2001:db8::5");
  assert.equal(clientFromForwarded("198.18.0.7:5555", ranges), "198.18.0.7");
  assert.equal(clientFromForwarded("garbage, 10.10.0.1", ranges), "garbage");
  assert.throws(() => parseCidrList("10.0.0.0/33"), /invalid CIDR "10.0.0.0\/33"/);
});

appTest("behind a trusted proxy the client is the address the proxy saw", async (t) => {
  // Spoofed left part: the attacker wrote 127.0.0.1 and 6.6.6.6; the proxy appended 198.18.0.7.
  await jsonLogin(t, "127.0.0.1", TEST_ADMIN_PASSWORD, {
    "x-forwarded-for": "127.0.0.1, 6.6.6.6, 198.18.0.7",
  });
  assert.equal(await lastLoginAddress(t), "198.18.0.7");
  // A direct client that is no proxy cannot claim an address.
  await jsonLogin(t, "198.18.0.50", TEST_ADMIN_PASSWORD, { "x-forwarded-for": "127.0.0.1" });
  assert.equal(await lastLoginAddress(t), "198.18.0.50");

  // Rotating the spoofable part does not escape the per-address throttle.
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++) {
    const res = await jsonLogin(t, "127.0.0.1", "wrong", {
      "x-forwarded-for": `203.0.113.${i}, 198.18.0.66`,
    });
    statuses.push(res.status);
    await res.body?.cancel();
  }
  assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429]);

  // Secure cookies when the proxy says the browser used HTTPS, not when a client says so.
  const viaTls = await jsonLogin(t, "127.0.0.1", TEST_ADMIN_PASSWORD, {
    "x-forwarded-for": "198.18.0.8",
    "x-forwarded-proto": "https",
  });
  assert.equal(viaTls.status, 200);
  const secure = viaTls.headers.getSetCookie().find((c) => c.startsWith("__Host-pf_session="));
  assert.ok(secure, JSON.stringify(viaTls.headers.getSetCookie()));
  assert.match(secure, /; Secure/i);
  assert.match(secure, /; Path=\//);
  const claimed = await jsonLogin(t, "198.18.0.9", TEST_ADMIN_PASSWORD, {
    "x-forwarded-proto": "https",
  });
  assert.equal(claimed.status, 200);
  const plain = claimed.headers.getSetCookie().find((c) => c.includes("pf_session="))!;
  assert.match(plain, /^pf_session=/);
  assert.doesNotMatch(plain, /Secure/i);
}, { TRUST_PROXY: "1" });

appTest("without TRUST_PROXY forwarding headers are ignored", async (t) => {
  const res = await jsonLogin(t, "127.0.0.1", TEST_ADMIN_PASSWORD, {
    "x-forwarded-for": "198.18.0.7",
    "x-forwarded-proto": "https",
  });
  assert.equal(res.status, 200);
  assert.equal(await lastLoginAddress(t), "127.0.0.1");
  assert.ok(res.headers.getSetCookie().some((c) => c.startsWith("pf_session=")));
});

Deno.test("the per-account slow-down grows from the threshold and is capped", () => {
  assert.deepEqual([0, 4].map((f) => loginDelayMs(f, 5, 3000)), [0, 0]);
  assert.deepEqual([5, 6, 7].map((f) => loginDelayMs(f, 5, 3000)), [100, 200, 400]);
  assert.equal(loginDelayMs(50, 5, 3000), 3000);
  assert.equal(loginDelayMs(1e6, 5, 3000), 3000);
  assert.equal(loginDelayMs(50, 5, 0), 0);
});

appTest("an attacker failing from A never stops the admin logging in from B", async (t) => {
  const A = "127.0.0.66";
  const B = "127.0.0.77";
  const fromA: number[] = [];
  for (let i = 0; i < 30; i++) {
    const res = await jsonLogin(t, A, `guess-${i}`);
    fromA.push(res.status);
    await res.body?.cancel();
  }
  assert.deepEqual(fromA.slice(0, 5), [401, 401, 401, 401, 401]);
  assert.ok(fromA.slice(5).every((s) => s === 429), JSON.stringify(fromA));
  // A stays locked out even with the right password: the (account, address) lock is strict.
  const aRight = await jsonLogin(t, A, TEST_ADMIN_PASSWORD);
  assert.equal(aRight.status, 429);
  assert.ok(Number(aRight.headers.get("retry-after")) > 0);
  await aRight.body?.cancel();
  // B, which has not failed, gets in (slowed down, never refused).
  const bRight = await jsonLogin(t, B, TEST_ADMIN_PASSWORD);
  assert.equal(bRight.status, 200, await bRight.clone().text());
  await bRight.body?.cancel();
  // A wrong guess from B is an ordinary 401, not a lockout caused by A.
  const bWrong = await jsonLogin(t, B, "typo");
  assert.equal(bWrong.status, 401);
  await bWrong.body?.cancel();
  // After the window A may try again.
  t.clock.now += 16 * 60_000;
  const later = await jsonLogin(t, A, TEST_ADMIN_PASSWORD);
  assert.equal(later.status, 200);
  await later.body?.cancel();
}, { LOGIN_SLOWDOWN_MAX_MS: "20" });

appTest("the current-password check of a password change is throttled", async (t) => {
  const change = (current: string) =>
    t.call("POST", "/api/v1/auth/password", {
      json: { current_password: current, new_password: "a-much-better-passphrase-42" },
    });
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++) {
    const res = await change(`guess-${i}`);
    statuses.push(res.status);
    await res.body?.cancel();
  }
  assert.deepEqual(statuses, [422, 422, 422, 422, 422, 429, 429]);
  const locked = await change(TEST_ADMIN_PASSWORD);
  assert.equal(locked.status, 429);
  await locked.body?.cancel();
  t.clock.now += 16 * 60_000;
  const ok = await change(TEST_ADMIN_PASSWORD);
  assert.equal(ok.status, 204, await ok.text());
});
