import assert from "node:assert/strict";
import { AppError } from "@/services/errors.ts";
import { type CommandRunner, createCommandRunner, runCommand } from "@/services/jobs/mod.ts";
import { portscan } from "./portscan.ts";

/** A TCP server on a random loopback port that greets like an SSH server, so -sV is quick. */
function banneredServer(hostname: string) {
  const listener = Deno.listen({ hostname, port: 0 });
  let closed = false;
  const greetings = new Set<Promise<void>>();
  const done = (async () => {
    while (!closed) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch {
        // A connect scan hangs up before accept() returns (ENOTCONN); keep serving.
        continue;
      }
      const greeting = greet(conn).finally(() => greetings.delete(greeting));
      greetings.add(greeting);
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async close() {
      closed = true;
      listener.close();
      await done;
      await Promise.all([...greetings]);
    },
  };
}

async function greet(conn: Deno.Conn) {
  try {
    await conn.write(new TextEncoder().encode("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"));
    // Let the scanner read the banner before hanging up.
    await new Promise((r) => setTimeout(r, 200));
  } catch { /* the scanner hung up first */ }
  try {
    conn.close();
  } catch { /* already closed */ }
}

function recording(calls: string[][]): CommandRunner {
  return async (cmd, args, opts) => {
    calls.push([cmd, ...args]);
    return await runCommand(cmd, args, opts);
  };
}

Deno.test("portscan finds a listening port on 127.0.0.1 open", async () => {
  const server = banneredServer("127.0.0.1");
  try {
    const res = await portscan(["127.0.0.1"], {
      runner: runCommand,
      args: `-Pn -n -sT -p ${server.port}`,
      timeoutMs: 60_000,
    });
    assert.deepEqual(res.errors, []);
    assert.deepEqual(res.args, ["-Pn", "-n", "-sT", "-p", String(server.port)]);
    assert.equal(res.hosts.length, 1);
    assert.equal(res.hosts[0].ip, "127.0.0.1");
    assert.deepEqual(res.hosts[0].ports.map((p) => [p.port, p.proto, p.state]), [
      [server.port, "tcp", "open"],
    ]);
  } finally {
    await server.close();
  }
});

Deno.test("version detection reads the service behind the port", async () => {
  const server = banneredServer("127.0.0.1");
  try {
    const res = await portscan(["127.0.0.1"], {
      runner: runCommand,
      args: ["-Pn", "-n", "-sT", "-sV", "--version-light", "-p", String(server.port)],
      timeoutMs: 60_000,
    });
    const [port] = res.hosts[0].ports;
    assert.equal(port.state, "open");
    assert.equal(port.service, "ssh");
    assert.equal(port.product, "OpenSSH");
    assert.match(port.version, /^9\.2p1/);
  } finally {
    await server.close();
  }
});

Deno.test("hosts are batched per run, IPv6 separately with -6, targets after --", async () => {
  const v4 = banneredServer("127.0.0.1");
  const v6 = banneredServer("::1");
  const calls: string[][] = [];
  try {
    const res = await portscan(["127.0.0.1", "127.0.0.2", "::1", "127.0.0.3", "127.0.0.1"], {
      runner: recording(calls),
      args: `-Pn -n -sT -p ${v4.port},${v6.port} -6`,
      batchSize: 2,
      timeoutMs: 60_000,
    });
    assert.deepEqual(res.errors, []);
    const targetsOf = (c: string[]) => c.slice(c.indexOf("--") + 1);
    assert.deepEqual(calls.map(targetsOf), [["127.0.0.1", "127.0.0.2"], ["127.0.0.3"], ["::1"]]);
    assert.deepEqual(calls.map((c) => c.includes("-6")), [false, false, true]);
    for (const c of calls) {
      assert.deepEqual(c.slice(c.indexOf("-oX"), c.indexOf("--")), ["-oX", "-"]);
    }

    const open = (ip: string) =>
      res.hosts.find((h) => h.ip === ip)?.ports.filter((p) => p.state === "open").map((p) =>
        p.port
      );
    assert.deepEqual(open("127.0.0.1"), [v4.port]);
    assert.deepEqual(open("127.0.0.2"), []);
    assert.deepEqual(open("::1"), [v6.port]);
  } finally {
    await v4.close();
    await v6.close();
  }
});

Deno.test("real nmap accepts the allowlisted timing and output options", async () => {
  const server = banneredServer("127.0.0.1");
  try {
    const res = await portscan(["127.0.0.1"], {
      runner: runCommand,
      args: "-T4 --max-retries 1 --host-timeout 30s --min-rate 100 --max-rate 1000 " +
        "--scan-delay 0ms --max-scan-delay 10ms --min-parallelism 1 --max-parallelism 10 " +
        "--min-rtt-timeout 50ms --max-rtt-timeout 500ms --initial-rtt-timeout 100ms " +
        `-p ${server.port},1 -r -sT -Pn -n --open --reason`,
      timeoutMs: 60_000,
    });
    assert.deepEqual(res.errors, []);
    // --open leaves out the closed port 1.
    assert.deepEqual(res.hosts[0].ports.map((p) => p.port), [server.port]);
    const ratio = await portscan(["127.0.0.1"], {
      runner: runCommand,
      args: "-Pn -n -sT --top-ports 5 --port-ratio 0.5",
      timeoutMs: 60_000,
    });
    assert.deepEqual(ratio.errors, []);
    assert.equal(ratio.hosts.length, 1);
  } finally {
    await server.close();
  }
});

Deno.test("refused options never reach nmap", async () => {
  const calls: string[][] = [];
  await assert.rejects(
    portscan(["127.0.0.1"], { runner: recording(calls), args: "-sT --script vuln" }),
    (err) => err instanceof AppError && err.code === "invalid_nmap_args",
  );
  await assert.rejects(
    portscan(["127.0.0.1", "-iL/etc/passwd"], { runner: recording(calls), args: "-sT" }),
    (err) => err instanceof AppError && err.code === "invalid_target",
  );
  assert.deepEqual(calls, []);
});

Deno.test("a missing nmap is a 503 that says how to install it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      portscan(["127.0.0.1"], { runner: createCommandRunner({ path: dir }), args: "-sT" }),
      (err) =>
        err instanceof AppError && err.status === 503 && /apt-get install nmap/.test(err.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a failing or killed nmap run is reported, not hidden", async () => {
  const runner: CommandRunner = (_cmd, args) =>
    Promise.resolve(
      args.includes("127.0.0.2")
        ? { code: 143, stdout: '<?xml version="1.0"?><nmaprun><host>', stderr: "", timedOut: true }
        : { code: 1, stdout: "", stderr: "Starting Nmap\nsendto failed\nQUITTING!\n" },
    );
  const res = await portscan(["127.0.0.1", "127.0.0.2"], {
    runner,
    args: "-sT",
    batchSize: 1,
    timeoutMs: 1000,
  });
  assert.deepEqual(res.hosts, []);
  assert.deepEqual(res.errors, [
    "nmap exited with code 1 scanning 127.0.0.1: sendto failed; QUITTING!",
    "nmap timed out after 1000 ms scanning 127.0.0.2",
  ]);
});
