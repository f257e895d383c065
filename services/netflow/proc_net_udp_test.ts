// /proc/net/udp parsing on real lines, and finding a real socket's row and drop count.
import assert from "node:assert/strict";
import { ownUdpSocket, parseProcNetUdp, readUdpSockets, udpDrops } from "./proc_net_udp.ts";

Deno.test("parseProcNetUdp reads port, inode and drops from /proc/net/udp and udp6 lines", () => {
  const v4 = [
    "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops",
    "  127: 0100007F:0807 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 4242 2 0000000000000000 17",
    "  200: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 19 2 0000000000000000 0",
    "garbage",
  ].join("\n");
  assert.deepEqual(parseProcNetUdp(v4), [
    { localPort: 2055, inode: "4242", drops: 17 },
    { localPort: 68, inode: "19", drops: 0 },
  ]);
  const v6 = [
    "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops",
    "   81: 00000000000000000000000001000000:A1B2 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 777 2 0000000000000000 3",
  ].join("\n");
  assert.deepEqual(parseProcNetUdp(v6), [{ localPort: 0xa1b2, inode: "777", drops: 3 }]);
});

Deno.test("a real socket's row is found, with its drop count", () => {
  if (Deno.build.os !== "linux") return;
  for (const hostname of ["127.0.0.1", "::1"]) {
    const sock = Deno.listenDatagram({ transport: "udp", hostname, port: 0 });
    try {
      const port = (sock.addr as Deno.NetAddr).port;
      assert.ok(readUdpSockets().some((r) => r.localPort === port), `${hostname} row`);
      const own = ownUdpSocket(port);
      assert.ok(own, `${hostname}: this process's socket on ${port}`);
      assert.ok(own.fd > 2);
      assert.equal(udpDrops(own.inode), 0);
    } finally {
      sock.close();
    }
  }
  assert.equal(udpDrops("0"), null);
});
