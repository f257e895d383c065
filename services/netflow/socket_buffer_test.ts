import assert from "node:assert/strict";
import { setReceiveBuffer } from "./socket_buffer.ts";

function rmemMax(): number {
  return Number(Deno.readTextFileSync("/proc/sys/net/core/rmem_max").trim());
}

/** CAP_NET_ADMIN (bit 12) in this process's effective capabilities: SO_RCVBUFFORCE works. */
function netAdmin(): boolean {
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(Deno.readTextFileSync("/proc/self/status"));
  return m !== null && (BigInt(`0x${m[1]}`) & (1n << 12n)) !== 0n;
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
      if (netAdmin()) {
        // Allowed beyond rmem_max (SO_RCVBUFFORCE): the size asked for, and nothing to note.
        assert.equal(huge.effective, 2 * rmemMax() * 4, JSON.stringify(huge));
        assert.equal(huge.note, undefined);
      } else {
        assert.equal(huge.effective, 2 * rmemMax());
        assert.match(huge.note ?? "", /net\.core\.rmem_max/);
      }
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
