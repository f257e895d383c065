// A real nats-server with JetStream for a test: own data dir under /tmp, a free port, killed after.

export interface TestNats {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Stops and starts it again on the same port and data (a broker restart). */
  restart(): Promise<void>;
  /** Stops it and keeps it stopped (a lost link) until resume(). */
  halt(): Promise<void>;
  /** Starts a halted server again on the same port and data. */
  resume(): Promise<void>;
  /** Synchronous stop for an unload handler (no await possible there). */
  kill(): void;
}

/** Ports of this machine's range for NATS in tests (18100–18199 belong to scale-out work). */
const PORT_FIRST = 18150;
const PORT_LAST = 18199;

function freePort(first = PORT_FIRST, last = PORT_LAST): number {
  for (let i = 0; i < 200; i++) {
    const p = first + Math.floor(Math.random() * (last - first + 1));
    try {
      Deno.listen({ hostname: "127.0.0.1", port: p }).close();
      return p;
    } catch { /* taken: try another */ }
  }
  throw new Error("no free port for nats-server");
}

/**
 * Resolves true once the server logs "Server is ready", false if it exits first (its port was
 * taken meanwhile by a test file running in parallel). Reading its log, not connecting, is what
 * tells our own server from another one on the same port.
 */
async function readyOrGone(child: Deno.ChildProcess): Promise<boolean> {
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let log = "";
  while (!log.includes("Server is ready")) {
    const { value, done } = await reader.read();
    if (done) return false;
    log += value;
  }
  // Keep draining so the server never blocks on a full pipe.
  void (async () => {
    while (!(await reader.read().catch(() => ({ done: true }))).done) { /* discard */ }
  })();
  return true;
}

function spawn(port: number, dir: string): Deno.ChildProcess {
  return new Deno.Command("nats-server", {
    args: ["-js", "-sd", dir, "-a", "127.0.0.1", "-p", String(port)],
    stdout: "null",
    stderr: "piped",
  }).spawn();
}

/** `ports`: another range than the state store tests' (a test file of other work). */
export async function startNats(ports?: [number, number]): Promise<TestNats> {
  const dir = await Deno.makeTempDir({ dir: "/tmp", prefix: "statestore-nats-" });
  for (let attempt = 0; attempt < 10; attempt++) {
    const port = ports ? freePort(ports[0], ports[1]) : freePort();
    const child = spawn(port, dir);
    if (!(await readyOrGone(child))) {
      await child.status;
      continue;
    }
    return served(child, port, dir);
  }
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  throw new Error("nats-server did not start");
}

function served(first: Deno.ChildProcess, port: number, dir: string): TestNats {
  const url = `nats://127.0.0.1:${port}`;
  let child = first;
  const halt = async () => {
    child.kill("SIGTERM");
    await child.status;
  };
  const resume = async () => {
    // Same port and data: clients reconnect and find their buckets again.
    for (let i = 0; i < 50; i++) {
      child = spawn(port, dir);
      if (await readyOrGone(child)) return;
      await child.status;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("nats-server did not come back");
  };
  return {
    url,
    port,
    async restart() {
      await halt();
      await resume();
    },
    halt,
    resume,
    kill() {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      try {
        Deno.removeSync(dir, { recursive: true });
      } catch { /* already gone */ }
    },
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      await child.status;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
