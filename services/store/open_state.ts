// Picks the state store from the config: NATS KV when STATE_STORE=nats (implied by NATS_URL),
// else Deno KV at KV_PATH.
import type { StateStore } from "./state_store.ts";
import { openKvStateStore } from "./kv_state_store.ts";
import { natsStateStore } from "./nats_state_store.ts";
import { connectNats, type NatsSettings } from "./nats_connection.ts";
import type { NatsConnection } from "@nats-io/transport-node";

export interface StateStoreSettings {
  STATE_STORE: "kv" | "nats";
  KV_PATH: string;
  NATS_URL?: string;
  NATS_USER?: string;
  NATS_PASSWORD?: string;
  NATS_CREDS?: string;
  NATS_NKEY_SEED_FILE?: string;
  NATS_TLS_CA?: string;
  NATS_TLS_CERT?: string;
  NATS_TLS_KEY?: string;
  NATS_REPLICAS?: number;
}

/**
 * `opts.nc`: the process's NATS connection, to share (the store then leaves it open on close);
 * without it the store opens its own. `opts.name` names that connection on the server.
 */
export async function openStateStore(
  cfg: StateStoreSettings,
  opts: { nc?: NatsConnection; name?: string } = {},
): Promise<StateStore> {
  if (cfg.STATE_STORE === "kv") return await openKvStateStore(cfg.KV_PATH);
  if (opts.nc) {
    return natsStateStore(opts.nc, { replicas: cfg.NATS_REPLICAS, ownsConnection: false });
  }
  if (!cfg.NATS_URL) throw new Error("STATE_STORE=nats needs NATS_URL");
  const nc = await connectNats(natsSettingsOf(cfg, opts.name ?? "pingfold"));
  return natsStateStore(nc, { replicas: cfg.NATS_REPLICAS });
}

/** The NATS connection settings in the config (the one mapping of NATS_* to the client). */
export function natsSettingsOf(
  cfg: Omit<StateStoreSettings, "STATE_STORE" | "KV_PATH">,
  name: string,
): NatsSettings {
  return {
    url: cfg.NATS_URL ?? "",
    user: cfg.NATS_USER,
    password: cfg.NATS_PASSWORD,
    creds: cfg.NATS_CREDS,
    nkeySeed: cfg.NATS_NKEY_SEED_FILE,
    tlsCa: cfg.NATS_TLS_CA,
    tlsCert: cfg.NATS_TLS_CERT,
    tlsKey: cfg.NATS_TLS_KEY,
    name,
  };
}
