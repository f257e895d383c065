import assert from "node:assert/strict";
import { exporterAddress, startUdpListener } from "./udp_listener.ts";
import { AppError } from "@/services/errors.ts";

async function waitFor(what: string, ok: () => boolean, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

Deno.test("exporterAddress: mapped IPv4, zones and brackets normalized", () => {
  assert.equal(exporterAddress("::FFFF:198.51.100.1"), "198.51.100.1");
  assert.equal(exporterAddress("fe80::1%eth0"), "fe80::1");
  assert.equal(exporterAddress("[2001:DB8::1]"), "2001:db8::1");
  assert.equal(exporterAddress("127.0.0.1"), "127.0.0.1");
});

Deno.test("the listener hands every datagram over and survives a throwing handler", async () => {
  const got: Array<[number[], string]> = [];
  const errors: string[] = [];
  const listener = startUdpListener({
    hostname: "127.0.0.1",
    port: 0,
    recvBufferBytes: 256 * 1024,
    onDatagram(data, exporter) {
      if (data[0] === 0xee) throw new Error("handler bug");
      got.push([[...data], exporter]);
    },
    onError: (err, where) => errors.push(`${where}: ${(err as Error).message}`),
  });
  const sender = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    assert.ok(listener.port > 0);
    if (Deno.build.os === "linux") {
      assert.ok(listener.recvBuffer?.effective, listener.recvBuffer?.note ?? "");
    }
    const to = { transport: "udp" as const, hostname: "127.0.0.1", port: listener.port };
    await sender.send(new Uint8Array([1, 2, 3]), to);
    await sender.send(new Uint8Array([0xee]), to);
    await sender.send(new Uint8Array([4]), to);
    await waitFor("3 datagrams", () => listener.stats().datagrams === 3);
    assert.deepEqual(got, [[[1, 2, 3], "127.0.0.1"], [[4], "127.0.0.1"]]);
    assert.deepEqual(errors, ["handler: handler bug"]);
    assert.deepEqual(listener.stats(), {
      datagrams: 3,
      bytes: 5,
      receiveErrors: 0,
      handlerErrors: 1,
      refused: 0,
    });
  } finally {
    sender.close();
    await listener.close();
  }
  await listener.close(); // twice is harmless
});

Deno.test("a port in use is refused with a message naming the setting", () => {
  const first = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    const port = (first.addr as Deno.NetAddr).port;
    assert.throws(
      () => startUdpListener({ hostname: "127.0.0.1", port, onDatagram: () => {} }),
      (e) => e instanceof AppError && /udp 127\.0\.0\.1:\d+: .*NETFLOW_BIND_PORT/.test(e.message),
    );
  } finally {
    first.close();
  }
});
