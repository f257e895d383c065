import assert from "node:assert/strict";
import { join } from "node:path";
import { type LogLevel, openNetflowLog } from "./netflow_log.ts";
import { buildV5Packet } from "@/tests/support/netflow/mod.ts";

type Line = { level: LogLevel; msg: string; fields?: Record<string, unknown> };

function capture() {
  const lines: Line[] = [];
  return {
    lines,
    sink: (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
      lines.push({ level, msg, fields });
    },
  };
}

const packet = buildV5Packet(
  { sysUptime: 0, unixSecs: 0, sequence: 3 },
  Array.from({ length: 2 }, (_, i) => ({
    src: `203.0.113.${i + 1}`,
    dst: "198.51.100.1",
    packets: 1,
    bytes: 60,
    first: 0,
    last: 0,
    srcPort: 1000 + i,
    dstPort: 53,
    protocol: 17,
  })),
);

Deno.test("info level: no packet lines, no hex; warnings pass", async () => {
  const { lines, sink } = capture();
  const log = await openNetflowLog({ level: "info", dumpHex: false, dumpHexLen: 8, sink });
  assert.equal(log.packetsEnabled, false);
  log.packet("203.0.113.1", packet);
  log.debug("hidden");
  log.warn("visible", { n: 1 });
  assert.deepEqual(lines, [{ level: "warn", msg: "visible", fields: { n: 1 } }]);
  await log.close();
});

Deno.test("debug level gives one pkt line per datagram; DUMP_HEX adds DUMP_HEX_LEN bytes", async () => {
  const { lines, sink } = capture();
  const log = await openNetflowLog({ level: "debug", dumpHex: true, dumpHexLen: 4, sink });
  log.packet("203.0.113.7", packet);
  assert.equal(lines.length, 1);
  assert.equal(lines[0].level, "debug");
  assert.equal(
    lines[0].msg,
    "pkt exporter=203.0.113.7 v=5 len=120 count=2 seq=3 srcid=0 sets=-",
  );
  assert.deepEqual(lines[0].fields, { hex: "00 05 00 02 … (+116 bytes)" });
  await log.close();
});

Deno.test("DUMP_HEX=1 shows packets even at info level", async () => {
  const { lines, sink } = capture();
  const log = await openNetflowLog({ level: "info", dumpHex: true, dumpHexLen: 2, sink });
  log.packet("203.0.113.7", packet);
  assert.equal(lines[0]?.level, "info");
  assert.equal(lines[0]?.fields?.hex, "00 05 … (+118 bytes)");
  await log.close();
});

Deno.test("NETFLOW_LOG_FILE gets every line and the whole datagram in hex", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pingfold-nflog-" });
  try {
    const path = join(dir, "netflow.log");
    const { sink } = capture();
    const log = await openNetflowLog({
      level: "debug",
      dumpHex: true,
      dumpHexLen: 4,
      file: path,
      sink,
      now: () => Date.UTC(2024, 0, 2, 3, 4, 5),
    });
    log.packet("203.0.113.7", packet);
    log.info("flushed", { records: 2 });
    await log.close();
    const text = await Deno.readTextFile(path);
    const lines = text.trimEnd().split("\n");
    assert.equal(
      lines[0],
      "2024-01-02T03:04:05.000Z DEBUG pkt exporter=203.0.113.7 v=5 len=120 count=2 seq=3 " +
        "srcid=0 sets=-",
    );
    // 120 bytes = 8 hex rows, nothing cut at DUMP_HEX_LEN.
    const hexRows = lines.filter((l) => /^ {2}[0-9a-f]{8} {2}/.test(l));
    assert.equal(hexRows.length, 8);
    assert.ok(hexRows[0].startsWith("  00000000  00 05 00 02 "));
    assert.ok(hexRows[7].startsWith("  00000070  "));
    assert.equal(lines.at(-1), '2024-01-02T03:04:05.000Z INFO flushed {"records":2}');
    assert.deepEqual(log.stats(), { fileLines: 2, fileDropped: 0 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a full file buffer drops lines and counts them instead of growing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pingfold-nflog-" });
  try {
    const path = join(dir, "netflow.log");
    const log = await openNetflowLog({
      level: "debug",
      dumpHex: false,
      dumpHexLen: 4,
      file: path,
      sink: () => {},
      maxBufferedBytes: 200,
    });
    for (let i = 0; i < 10; i++) log.packet("203.0.113.7", packet);
    const stats = log.stats();
    assert.ok(stats.fileDropped > 0, JSON.stringify(stats));
    assert.equal(stats.fileLines + stats.fileDropped, 10);
    await log.close();
    const written = (await Deno.readTextFile(path)).trimEnd().split("\n").length;
    assert.equal(written, stats.fileLines);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
