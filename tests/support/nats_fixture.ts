// One nats-server with JetStream for a unit test, and a connection to it; disposed after.
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { type NatsServer, startNats } from "./nats_server.ts";

export interface NatsFixture {
  server: NatsServer;
  nc: NatsConnection;
  dir: string;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function natsFixture(): Promise<NatsFixture> {
  const dir = await Deno.makeTempDir({ prefix: "scale-nats-" });
  const server = startNats(dir);
  await server.ready();
  const nc = await connect({ servers: server.url });
  return {
    server,
    nc,
    dir,
    async [Symbol.asyncDispose]() {
      await nc.close().catch(() => {});
      server.kill();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
