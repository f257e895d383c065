import assert from "node:assert/strict";
import { setReceiveBuffer } from "./socket_buffer.ts";

function rmemMax(): number {
  return Number(Deno.readTextFileSync("/proc/sys/net/core/rmem_max").trim());
}

Deno.test({
  name: "setReceiveBuffer enlarges a loopback UDP socket's receive buffer (Linux)",
  ignore: Deno.build.os !== "linux",
  fn() {
    const conn = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    try {
      const port = (conn.addr as Deno.NetAddr).port;
      const want = 1024 * 1024;
      const r = setReceiveBuffer(port, want);
      assert.equal(r.requested, want);
      assert.ok(r.effective !== null, r.note ?? "");
      // The kernel reports twice what it granted, and grants at most rmem_max.
      assert.equal(r.effective, 2 * Math.min(want, rmemMax()), JSON.stringify(r));
      const huge = setReceiveBuffer(port, rmemMax() * 4);
      assert.equal(huge.effective, 2 * rmemMax());
      assert.match(huge.note ?? "", /net\.core\.rmem_max/);
    } finally {
      conn.close();
    }
  },
});

Deno.test({
  name: "setReceiveBuffer reports a port nobody here has bound",
  ignore: Deno.build.os !== "linux",
  fn() {
    const conn = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    const port = (conn.addr as Deno.NetAddr).port;
    conn.close();
    const r = setReceiveBuffer(port, 65536);
    assert.equal(r.effective, null);
    assert.match(r.note ?? "", /not found/);
  },
});
