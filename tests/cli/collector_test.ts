// `deno task collector` as a process: it listens where configured, stores what it receives, and
// on SIGTERM flushes its queue before exiting (checked in the PGlite data it leaves behind).
import assert from "node:assert/strict";
import { join } from "node:path";
import { buildV5Packet } from "@/tests/support/netflow/mod.ts";
import { openPglite } from "@/services/store/mod.ts";

Deno.test({
  name: "deno task collector stores flows and flushes them on SIGTERM",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "pingfold-collector-cli-" });
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("../../scripts/collector.ts", import.meta.url).pathname],
      cwd: dir, // no .env here
      env: {
        DATA_DIR: join(dir, "data"),
        NETFLOW_BIND_HOST: "127.0.0.1",
        NETFLOW_BIND_PORT: "0",
        NETFLOW_ENABLED: "false", // ignored by the standalone collector
        // Never flushes on its own: only the shutdown can store the record.
        NETFLOW_FLUSH_INTERVAL_MS: "600000",
        NETFLOW_INSERT_BATCH: "1000",
        LOG_LEVEL: "debug",
      },
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const lines: string[] = [];
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    const readLine = (() => {
      let buffered = "";
      return async (deadline: number): Promise<string | null> => {
        while (!buffered.includes("\n")) {
          if (Date.now() > deadline) return null;
          const { value, done } = await reader.read();
          if (done) return null;
          buffered += value;
        }
        const i = buffered.indexOf("\n");
        const line = buffered.slice(0, i);
        buffered = buffered.slice(i + 1);
        return line;
      };
    })();
    try {
      let port = 0;
      const deadline = Date.now() + 60_000;
      while (port === 0) {
        const line = await readLine(deadline);
        if (line === null) throw new Error(`collector did not start:\n${lines.join("\n")}`);
        lines.push(line);
        const m = /"msg":"NetFlow collector listening","bind":"127\.0\.0\.1:(\d+)"/.exec(line);
        if (m) port = Number(m[1]);
      }
      const s = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
      await s.send(
        buildV5Packet({ sysUptime: 100, unixSecs: Math.floor(Date.now() / 1000), sequence: 0 }, [{
          src: "203.0.113.33",
          dst: "198.51.100.44",
          packets: 3,
          bytes: 333,
          first: 10,
          last: 90,
          srcPort: 3333,
          dstPort: 80,
          protocol: 6,
        }]),
        { transport: "udp", hostname: "127.0.0.1", port },
      );
      s.close();
      // The debug line per datagram says the receive thread has it (it decodes right after).
      for (let seen = false; !seen;) {
        const line = await readLine(deadline);
        if (line === null) throw new Error(`no packet line:\n${lines.join("\n")}`);
        lines.push(line);
        seen = line.includes('"msg":"pkt exporter=127.0.0.1 v=5 len=72 count=1 seq=0 srcid=0');
      }
      child.kill("SIGTERM");
      for (let line = await readLine(Date.now() + 30_000); line !== null;) {
        lines.push(line);
        line = await readLine(Date.now() + 30_000);
      }
      const status = await child.status;
      assert.equal(status.code, 0, lines.join("\n"));
      const stopped = lines.find((l) => l.includes('"NetFlow collector stopped"'));
      assert.ok(stopped, lines.join("\n"));
      assert.match(stopped, /"records_decoded":1,"records_inserted":1/);
    } finally {
      try {
        child.kill("SIGKILL");
      } catch {
        // already exited
      }
      await reader.cancel().catch(() => {});
    }
    const db = await openPglite(join(dir, "data", "pglite"));
    try {
      const rows = await db.query<{ src: string; bytes: number }>(
        `select host(src_addr) as src, bytes from netflow_flow`,
      );
      assert.deepEqual(rows, [{ src: "203.0.113.33", bytes: 333 }]);
    } finally {
      await db.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
