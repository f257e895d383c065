import assert from "node:assert/strict";
import { connectNats } from "@/services/store/mod.ts";
import { jetstreamManager } from "@nats-io/jetstream";
import { rangePort, startNats } from "@/tests/support/nats_server.ts";
import { nkeyServerConfig, operatorSetup, userKey } from "@/tests/support/nats_keys.ts";

Deno.test("a refused NATS login rejects with the server's reason, every time, and kills nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nats-login-" });
  const nats = startNats(dir, { auth: { user: "pf", pass: "right" } });
  try {
    await nats.ready();
    // The server closes the socket right after its -ERR; the late reset that follows used to end
    // the process (uncaught ECONNRESET) in most tries, so a handful of tries shows it.
    for (let i = 0; i < 5; i++) {
      await assert.rejects(
        connectNats({ url: nats.url, user: "pf", password: "wrong", waitForServer: true }),
        /Authorization Violation/,
      );
    }
    const nc = await connectNats({ url: nats.url, user: "pf", password: "right" });
    await nc.close();
  } finally {
    nats.kill();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

/** A nats-server with JetStream on a port of this file's range, from a config file's text. */
async function keyServer(dir: string, config: string) {
  await Deno.writeTextFile(`${dir}/server.conf`, config);
  const nats = startNats(dir, { configFile: `${dir}/server.conf`, port: rangePort(19300, 19399) });
  await nats.ready();
  return nats;
}

Deno.test("a user listed by nkey logs in with NATS_NKEY_SEED_FILE; another key is refused at once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "natsroles-nkey-" });
  const listed = userKey();
  const nats = await keyServer(dir, nkeyServerConfig([listed.publicKey]));
  try {
    await Deno.writeTextFile(`${dir}/listed.nk`, listed.seed + "\n");
    await Deno.writeTextFile(`${dir}/stranger.nk`, userKey().seed + "\n");
    const nc = await connectNats({ url: nats.url, nkeySeed: `${dir}/listed.nk` });
    try {
      // JetStream answers this account: the roles' streams can be set up.
      assert.ok((await (await jetstreamManager(nc)).getAccountInfo()).limits);
    } finally {
      await nc.close();
    }
    // Refused, not waited for (waitForServer would retry a server that is merely not up).
    await assert.rejects(
      connectNats({ url: nats.url, nkeySeed: `${dir}/stranger.nk`, waitForServer: true }),
      /Authorization Violation/,
    );
  } finally {
    nats.kill();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("operator mode: a user JWT in NATS_CREDS logs in; one of another operator is refused", async () => {
  const dir = await Deno.makeTempDir({ prefix: "natsroles-jwt-" });
  const op = await operatorSetup();
  const nats = await keyServer(dir, op.config);
  try {
    await Deno.writeTextFile(`${dir}/scanner.creds`, await op.creds("scanner"));
    await Deno.writeTextFile(`${dir}/foreign.creds`, await (await operatorSetup()).creds("x"));
    const nc = await connectNats({ url: nats.url, creds: `${dir}/scanner.creds` });
    try {
      assert.ok((await (await jetstreamManager(nc)).getAccountInfo()).limits);
    } finally {
      await nc.close();
    }
    await assert.rejects(
      connectNats({ url: nats.url, creds: `${dir}/foreign.creds`, waitForServer: true }),
      /Authorization Violation/,
    );
  } finally {
    nats.kill();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
