// Reads Linux's UDP socket table (/proc/net/udp and /proc/net/udp6): which socket of this process
// is bound to a port, and how many datagrams the kernel dropped for it (its receive buffer was
// full) — drops no userspace counter can see.

export interface UdpSocketRow {
  localPort: number;
  inode: string;
  /** Datagrams the kernel dropped for this socket (the table's last column). */
  drops: number;
}

const TABLES = ["/proc/net/udp", "/proc/net/udp6"];

/**
 * Parses one table: a header line, then rows like
 * `  12: 0100007F:0807 00000000:0000 07 00000000:00000000 00:00000000 00000000 1000 0 54321 2
 *  0000000000000000 17`.
 */
export function parseProcNetUdp(text: string): UdpSocketRow[] {
  const rows: UdpSocketRow[] = [];
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 13) continue;
    const colon = f[1].lastIndexOf(":");
    const port = parseInt(f[1].slice(colon + 1), 16);
    const drops = Number(f[12]);
    if (colon < 0 || !Number.isInteger(port) || !/^\d+$/.test(f[9])) continue;
    rows.push({ localPort: port, inode: f[9], drops: Number.isFinite(drops) ? drops : 0 });
  }
  return rows;
}

/** Every UDP socket row of both tables; [] where /proc is not there (not Linux). */
export function readUdpSockets(): UdpSocketRow[] {
  const rows: UdpSocketRow[] = [];
  for (const table of TABLES) {
    try {
      rows.push(...parseProcNetUdp(Deno.readTextFileSync(table)));
    } catch {
      // table missing (no IPv6, not Linux) or not readable
    }
  }
  return rows;
}

/** This process's descriptor and inode of the UDP socket bound to `port`, or null. */
export function ownUdpSocket(port: number): { fd: number; inode: string } | null {
  const inodes = new Set(readUdpSockets().filter((r) => r.localPort === port).map((r) => r.inode));
  if (inodes.size === 0) return null;
  try {
    for (const entry of Deno.readDirSync("/proc/self/fd")) {
      let target = "";
      try {
        target = Deno.readLinkSync(`/proc/self/fd/${entry.name}`);
      } catch {
        continue; // closed meanwhile
      }
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m && inodes.has(m[1])) return { fd: Number(entry.name), inode: m[1] };
    }
  } catch {
    // no /proc/self/fd
  }
  return null;
}

/** The kernel's drop count of the socket with this inode, or null when it is not in the table. */
export function udpDrops(inode: string): number | null {
  for (const r of readUdpSockets()) if (r.inode === inode) return r.drops;
  return null;
}
