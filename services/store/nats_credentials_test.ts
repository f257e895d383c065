import assert from "node:assert/strict";
import { createAccount } from "@nats-io/nkeys";
import { NatsCredentialsError, natsKeyAuthenticator } from "./nats_credentials.ts";
import { operatorSetup, userKey } from "@/tests/support/nats_keys.ts";

const refused = (re: RegExp) => (e: unknown) =>
  e instanceof NatsCredentialsError && re.test(e.message);

Deno.test("a user nkey seed file is accepted, signs the server's nonce and is read at each connect", async () => {
  const dir = await Deno.makeTempDir({ prefix: "natsroles-keys-" });
  try {
    const u = userKey();
    await Deno.writeTextFile(`${dir}/user.nk`, `# scanner of branch-2\n${u.seed}\n`);
    const auth = await natsKeyAuthenticator({ nkeySeed: `${dir}/user.nk` });
    const a = auth!("nonce-1") as { nkey: string; sig: string };
    assert.equal(a.nkey, u.publicKey);
    assert.ok(a.sig.length > 0);
    // Read again at each connect: a renewed key is used, a broken renewal keeps the last good one.
    const renewed = userKey();
    await Deno.writeTextFile(`${dir}/user.nk`, renewed.seed);
    assert.equal((auth!("n") as { nkey: string }).nkey, renewed.publicKey);
    await Deno.writeTextFile(`${dir}/user.nk`, "half-written");
    assert.equal((auth!("n") as { nkey: string }).nkey, renewed.publicKey);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("unreadable or malformed key files are refused naming the setting, never the seed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "natsroles-keys-" });
  try {
    const seedFile = (body: string) => {
      Deno.writeTextFileSync(`${dir}/seed`, body);
      return natsKeyAuthenticator({ nkeySeed: `${dir}/seed` });
    };
    await assert.rejects(
      natsKeyAuthenticator({ nkeySeed: `${dir}/missing` }),
      refused(/^NATS_NKEY_SEED_FILE \(.*missing\) cannot be read/),
    );
    await assert.rejects(seedFile("hello\n"), refused(/NATS_NKEY_SEED_FILE .* holds no nkey seed/));
    await assert.rejects(seedFile("SUNOTASEED\n"), refused(/holds no valid nkey seed/));
    const accountSeed = new TextDecoder().decode(createAccount().getSeed());
    await assert.rejects(
      seedFile(accountSeed),
      (e: unknown) =>
        refused(/seed of kind A, not a user seed/)(e) &&
        !(e as Error).message.includes(accountSeed),
    );

    const op = await operatorSetup();
    const good = await op.creds("scanner");
    const credsFile = (body: string) => {
      Deno.writeTextFileSync(`${dir}/u.creds`, body);
      return natsKeyAuthenticator({ creds: `${dir}/u.creds` });
    };
    assert.ok(await credsFile(good));
    await assert.rejects(
      credsFile("just text"),
      refused(/NATS_CREDS .* is not a NATS credentials file/),
    );
    await assert.rejects(
      credsFile(good.replace(/JWT-----\n(.)/, "JWT-----\nx$1")),
      refused(/NATS_CREDS .* holds no valid user JWT/),
    );
    // The JWT of one user with the seed of another.
    const other = await op.creds("other");
    const seedOf = (c: string) => c.match(/SEED-----\n(\S+)/)![1];
    await assert.rejects(
      credsFile(good.replace(seedOf(good), seedOf(other))),
      refused(/its seed is not the key of its JWT's user/),
    );
    const expired = await op.creds("old", { expSeconds: Math.floor(Date.now() / 1000) - 60 });
    await assert.rejects(credsFile(expired), refused(/user JWT expired at .*nsc generate creds/));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
