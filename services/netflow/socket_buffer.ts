// Enlarges a UDP socket's kernel receive buffer (SO_RCVBUF) so bursts wait in the kernel instead
// of being dropped. Deno.listenDatagram has no such option, so on Linux this finds the socket's
// descriptor through /proc and calls setsockopt through FFI (needs --allow-ffi); elsewhere, or
// without the permission, it reports why it could not and the system default stays.
import { ownUdpSocket } from "./proc_net_udp.ts";
import { openLibc as loadLibc } from "../libc.ts";

export interface RecvBufferResult {
  requested: number;
  /** Size the kernel reports after the change (Linux doubles the request for bookkeeping). */
  effective: number | null;
  /** Why the size is not what was asked for, when it is not. */
  note?: string;
}

const SOL_SOCKET = 1;
const SO_RCVBUF = 8;
/** SO_RCVBUF beyond net.core.rmem_max; needs CAP_NET_ADMIN (root), fails harmlessly otherwise. */
const SO_RCVBUFFORCE = 33;

const symbols = {
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
} as const;

type Libc = Deno.DynamicLibrary<typeof symbols>;
let libc: Libc | null = null;

function openLibc(): Libc {
  return libc ??= loadLibc(symbols);
}

function readRcvBuf(lib: Libc, fd: number): number {
  const out = new Int32Array(1);
  const len = new Uint32Array([4]);
  const rc = lib.symbols.getsockopt(
    fd,
    SOL_SOCKET,
    SO_RCVBUF,
    new Uint8Array(out.buffer),
    new Uint8Array(len.buffer),
  );
  return rc === 0 ? out[0] : -1;
}

/** Asks for a `bytes` receive buffer on the UDP socket this process has bound to `port`. */
export function setReceiveBuffer(port: number, bytes: number): RecvBufferResult {
  if (Deno.build.os !== "linux") {
    return {
      requested: bytes,
      effective: null,
      note: `not supported on ${Deno.build.os}: Deno cannot set SO_RCVBUF there`,
    };
  }
  try {
    const fd = ownUdpSocket(port)?.fd ?? -1;
    if (fd < 0) return { requested: bytes, effective: null, note: "socket not found in /proc" };
    const lib = openLibc();
    const value = new Int32Array([Math.min(bytes, 0x7fffffff)]);
    const rc = lib.symbols.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, new Uint8Array(value.buffer), 4);
    let effective = readRcvBuf(lib, fd);
    if (rc !== 0) return { requested: bytes, effective, note: "setsockopt(SO_RCVBUF) failed" };
    if (effective >= 0 && effective / 2 < bytes) {
      // Capped by rmem_max: a process that may (CAP_NET_ADMIN) takes the size asked for anyway,
      // since a burst's only slack while the receive thread waits for a core is this buffer.
      const forced = new Uint8Array(value.buffer);
      if (lib.symbols.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, forced, 4) === 0) {
        effective = readRcvBuf(lib, fd);
      }
    }
    // Linux grants at most net.core.rmem_max (and reports twice what it granted).
    if (effective >= 0 && effective / 2 < bytes) {
      return {
        requested: bytes,
        effective,
        note:
          `capped by the kernel: raise net.core.rmem_max (sysctl -w net.core.rmem_max=${bytes})`,
      };
    }
    return { requested: bytes, effective };
  } catch (err) {
    const why = err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.PermissionDenied
      ? "needs --allow-ffi"
      : String((err as Error)?.message ?? err);
    return { requested: bytes, effective: null, note: `could not set SO_RCVBUF: ${why}` };
  }
}
