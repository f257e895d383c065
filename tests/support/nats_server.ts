// Real nats-server processes for cluster tests (Debian's /usr/sbin/nats-server), with JetStream,
// on ports 18100-18149 of the scale range, data under /tmp; stopped (killed) by the test.
// 18150-18199 are the state store tests' (tests/support/nats_test_server.ts); the TLS tests
// (tests/support/nats_tls_server.ts) pass their own range, 18700-18799.
const FIRST = 18100, LAST = 18149;

function isFree(port: number): boolean {
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
    return true;
  } catch {
    return false;
  }
}

/** A free port of the range, never one handed out before in this process. */
const given = new Set<number>();
export function rangePort(first = FIRST, last = LAST): number {
  for (let i = 0; i < 400; i++) {
    const p = first + Math.floor(Math.random() * (last - first + 1));
    if (!given.has(p) && isFree(p)) {
      given.add(p);
      return p;
    }
  }
  throw new Error(`no free port in ${first}-${last}`);
}

export interface NatsServer {
  url: string;
  port: number;
  name: string;
  kill(): void;
  /** Waits until it accepts connections. */
  ready(): Promise<void>;
}

async function waitPort(hostname: string, port: number) {
  for (let i = 0; i < 100; i++) {
    try {
      (await Deno.connect({ hostname, port })).close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`nats-server on ${port} did not start`);
}

export function startNats(
  dir: string,
  o: {
    name?: string;
    cluster?: { port: number; routes: number[] };
    port?: number;
    /** Listen address (default loopback); a lab test binds its veth address. */
    host?: string;
    /** Require this user and password. */
    auth?: { user: string; pass: string };
    /** A config file for what has no flag (a tls block); the flags above still apply. */
    configFile?: string;
    /** Added to its environment (the passwords a config file reads as $VARS). */
    env?: Record<string, string>;
  } = {},
): NatsServer {
  const port = o.port ?? rangePort();
  const name = o.name ?? `n${port}`;
  const host = o.host ?? "127.0.0.1";
  const args = ["-a", host, "-p", String(port), "-js", "-sd", `${dir}/${name}`, "-n", name];
  if (o.configFile) args.unshift("-c", o.configFile);
  if (o.auth) args.push("--user", o.auth.user, "--pass", o.auth.pass);
  if (o.cluster) {
    args.push(
      "--cluster_name",
      "pf",
      "--cluster",
      `nats://127.0.0.1:${o.cluster.port}`,
      "--routes",
      o.cluster.routes.map((p) => `nats://127.0.0.1:${p}`).join(","),
    );
  }
  const child = new Deno.Command("/usr/sbin/nats-server", {
    args,
    ...(o.env ? { env: o.env } : {}),
    stdout: "null",
    stderr: "null",
    stdin: "null",
  }).spawn();
  return {
    url: `nats://${host}:${port}`,
    port,
    name,
    kill() {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
    },
    ready: () => waitPort(host, port),
  };
}
