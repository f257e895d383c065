// A TCP port on loopback that was free a moment ago, for servers started as separate processes.
export function freeTcpPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** The first UDP port in [from, to] on loopback that binds now (a test's own port range). */
export function freeUdpPortIn(from: number, to: number): number {
  for (let port = from; port <= to; port++) {
    try {
      const s = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port });
      s.close();
      return port;
    } catch {
      // taken: try the next one
    }
  }
  throw new Error(`no free UDP port on 127.0.0.1 in ${from}-${to}`);
}
