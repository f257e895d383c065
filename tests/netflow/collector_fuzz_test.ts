// Fuzzing through the real listener: a bounded number of random and mutated export datagrams over
// loopback must not crash the collector; every datagram is counted, every decoded record is
// stored or accounted for, and valid packets sent afterwards still decode and land in SQL.
import assert from "node:assert/strict";
import { prng } from "@/tests/support/prng.ts";
import {
  buildDataSet,
  buildIpfixMessage,
  buildIpfixOptionsTemplateSet,
  buildTemplateSet,
  buildV5Packet,
  buildV9OptionsTemplateSet,
  buildV9Packet,
  encodeRecord,
  type FieldSpec,
} from "@/tests/support/netflow/mod.ts";
import { ENGINES, openTestDb } from "@/tests/support/test_db.ts";
import { startTestCollector, waitFor } from "./collector_support.ts";

const DATAGRAMS = 3000;
const SEED = 0x5eed_7007;

const FIELDS: FieldSpec[] = [
  [8, 4],
  [12, 4],
  [7, 2],
  [11, 2],
  [4, 1],
  [6, 1],
  [1, 4],
  [2, 4],
  [22, 4],
  [21, 4],
  [10, 2],
  [14, 2],
];
const record = (n: number) =>
  encodeRecord([
    [4, `127.0.2.${n % 250}`],
    [4, "198.51.100.1"],
    [2, 1000 + n],
    [2, 80],
    [1, 6],
    [1, 0x10],
    [4, 100 * n],
    [4, n],
    [4, 1000],
    [4, 2000],
    [2, 1],
    [2, 2],
  ]);
const header = { sysUptime: 5000, unixSecs: Math.floor(Date.now() / 1000) };

function corpus(): Uint8Array[] {
  const records = Array.from({ length: 5 }, (_, i) => record(i + 1));
  const ipfixFields: FieldSpec[] = [...FIELDS.slice(0, 8), [152, 8], [153, 8]];
  const ipfixRecord = (n: number) =>
    encodeRecord([
      [4, `127.0.2.${n}`],
      [4, "198.51.100.2"],
      [2, 2000 + n],
      [2, 443],
      [1, 6],
      [1, 0x18],
      [4, 50 * n],
      [4, n],
      [8, Date.now() - 2000],
      [8, Date.now() - 1000],
    ]);
  return [
    buildV5Packet({ ...header, sequence: 1 }, [
      {
        src: "127.0.2.1",
        dst: "198.51.100.1",
        packets: 2,
        bytes: 120,
        first: 4000,
        last: 4500,
        srcPort: 1,
        dstPort: 2,
        protocol: 17,
      },
    ]),
    buildV9Packet({ ...header, sequence: 1, sourceId: 1 }, [
      buildTemplateSet(0, [{ id: 256, fields: FIELDS }]),
      buildDataSet(256, records),
    ]),
    buildV9Packet({ ...header, sequence: 2, sourceId: 1 }, [buildDataSet(256, records)]),
    buildV9Packet({ ...header, sequence: 3, sourceId: 1 }, [
      buildV9OptionsTemplateSet([{ id: 257, scope: [[1, 4]], options: [[34, 4], [35, 1]] }]),
      buildDataSet(257, [encodeRecord([[4, 0], [4, 10], [1, 2]])]),
    ]),
    buildIpfixMessage({ exportTime: header.unixSecs, sequence: 0, domainId: 9 }, [
      buildTemplateSet(2, [{ id: 300, fields: ipfixFields }]),
      buildDataSet(300, [ipfixRecord(1), ipfixRecord(2)]),
    ]),
    buildIpfixMessage({ exportTime: header.unixSecs, sequence: 2, domainId: 9 }, [
      buildIpfixOptionsTemplateSet([{ id: 301, scopeCount: 1, fields: [[149, 4], [34, 4]] }]),
      buildDataSet(301, [encodeRecord([[4, 9], [4, 100]])]),
    ]),
  ];
}

function mutate(rand: () => number, seeds: Uint8Array[]): Uint8Array {
  const pick = seeds[Math.floor(rand() * seeds.length)];
  const kind = Math.floor(rand() * 6);
  let out = pick.slice();
  switch (kind) {
    case 0: // bit flips
      for (let i = 0, n = 1 + Math.floor(rand() * 8); i < n; i++) {
        const at = Math.floor(rand() * out.length);
        out[at] ^= 1 << Math.floor(rand() * 8);
      }
      break;
    case 1: // truncation
      out = out.slice(0, Math.floor(rand() * out.length));
      break;
    case 2: { // splice two packets
      const other = seeds[Math.floor(rand() * seeds.length)];
      const cut = Math.floor(rand() * out.length);
      const joined = new Uint8Array(cut + other.length);
      joined.set(out.subarray(0, cut));
      joined.set(other, cut);
      out = joined;
      break;
    }
    case 3: // length and count fields smashed
      for (const at of [2, 3, 20, 21, 22, 23, 26, 27]) {
        if (at < out.length && rand() < 0.5) out[at] = Math.floor(rand() * 256);
      }
      break;
    case 4: { // pure noise with a plausible version
      out = new Uint8Array(Math.floor(rand() * 1500));
      for (let i = 0; i < out.length; i++) out[i] = Math.floor(rand() * 256);
      if (out.length >= 2) out[1] = [5, 9, 10, 7][Math.floor(rand() * 4)];
      if (out.length >= 1) out[0] = 0;
      break;
    }
    default: // valid packet, sent as is
      break;
  }
  return out;
}

for (const engine of ENGINES) {
  Deno.test({
    name: `fuzzed datagrams through the listener: no crash, counters add up [${engine}]`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const { db, dispose } = await openTestDb(engine);
      const collector = await startTestCollector(db, { batchSize: 100 });
      const sender = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
      const to = { transport: "udp" as const, hostname: "127.0.0.1", port: collector.port };
      try {
        const rand = prng(SEED);
        const seeds = corpus();
        for (let i = 0; i < DATAGRAMS; i++) {
          await sender.send(mutate(rand, seeds), to);
          // Paced so loopback never overflows the socket: every datagram must be counted.
          if (i % 500 === 499) {
            const sent = i + 1;
            await waitFor(
              `${sent} datagrams counted`,
              () => (collector.counters()["127.0.0.1"]?.packets ?? 0) >= sent - 400,
            );
          }
        }
        await waitFor(
          `all ${DATAGRAMS} datagrams counted`,
          () => collector.counters()["127.0.0.1"]?.packets === DATAGRAMS,
        );
        await collector.sync();
        const c = collector.counters()["127.0.0.1"];
        assert.equal(c.packets, DATAGRAMS);
        assert.ok(c.malformed > 0, "the mutations produced malformed packets");
        assert.ok(c.records_decoded > 0, "and decodable ones");
        assert.equal(c.internal_errors, 0, "no decoder fault");
        assert.equal(c.insert_failed, 0, "every decoded record was storable");
        assert.equal(c.queue_drops, 0);
        assert.equal(c.records_inserted + c.queue_drops + c.insert_failed, c.records_decoded);
        const [stored] = await db.query<{ n: number }>(
          `select count(*)::int as n from netflow_flow`,
        );
        assert.equal(stored.n, c.records_inserted);
        const status = collector.status();
        assert.equal(status.state, "listening");
        assert.equal(status.receive_errors, 0);

        // Valid packets afterwards: a fresh v9 stream (template + data) and a v5 packet.
        const before = c.records_decoded;
        const marker = (n: number) =>
          encodeRecord([
            [4, `203.0.113.${n}`],
            [4, "198.51.100.77"],
            [2, 7000 + n],
            [2, 8080],
            [1, 6],
            [1, 0x12],
            [4, 1000],
            [4, 10],
            [4, 4000],
            [4, 4900],
            [2, 3],
            [2, 4],
          ]);
        await sender.send(
          buildV9Packet({ ...header, sequence: 1, sourceId: 4242 }, [
            buildTemplateSet(0, [{ id: 400, fields: FIELDS }]),
            buildDataSet(400, [marker(1), marker(2), marker(3)]),
          ]),
          to,
        );
        await sender.send(
          buildV5Packet({ ...header, sequence: 999, engineId: 77 }, [{
            src: "203.0.113.99",
            dst: "198.51.100.77",
            packets: 1,
            bytes: 40,
            first: 4000,
            last: 4000,
            srcPort: 9,
            dstPort: 8080,
            protocol: 6,
          }]),
          to,
        );
        await waitFor(
          "the valid packets",
          () => collector.counters()["127.0.0.1"].records_decoded >= before + 4,
        );
        await collector.sync();
        const after = collector.counters()["127.0.0.1"];
        assert.equal(after.records_decoded, before + 4);
        const rows = await db.query<{ src: string; bytes: number; version: number }>(
          `select host(src_addr) as src, bytes, version from netflow_flow
           where dst_addr = '198.51.100.77' order by src_addr`,
        );
        assert.deepEqual(rows, [
          { src: "203.0.113.1", bytes: 1000, version: 9 },
          { src: "203.0.113.2", bytes: 1000, version: 9 },
          { src: "203.0.113.3", bytes: 1000, version: 9 },
          { src: "203.0.113.99", bytes: 40, version: 5 },
        ]);
      } finally {
        sender.close();
        await collector.stop();
        await dispose();
      }
    },
  });
}
