// Scheduling priority (nice) of the calling thread, on Linux through FFI. The collector's receive
// thread asks to run before everything else in the process (a burst waits only ~40 ms in a 4 MiB
// socket buffer: a receive thread that waits for a core behind decoding or inserting loses
// datagrams), and the decode thread steps back, since what it has not decoded yet waits in the
// spool. Raising a priority needs CAP_SYS_NICE (root, or a container given it); without it the
// thread keeps its priority and the result says so. Lowering one always works.
import { openLibc } from "../libc.ts";

export interface ThreadPriorityResult {
  requested: number;
  /** The thread's nice value afterwards (null where it could not be read). */
  effective: number | null;
  note?: string;
}

const PRIO_PROCESS = 0;
/** gettid's system call number, for C libraries without a gettid() wrapper. */
const SYS_GETTID: Partial<Record<typeof Deno.build.arch, number>> = { x86_64: 186, aarch64: 178 };

const symbols = {
  syscall: { parameters: ["i64"], result: "i64" },
  setpriority: { parameters: ["i32", "u32", "i32"], result: "i32" },
  getpriority: { parameters: ["i32", "u32"], result: "i32" },
} as const;

/** Sets this thread's nice value (-20 … 19; lower runs first). Never throws. */
export function setThreadNice(nice: number): ThreadPriorityResult {
  const requested = Math.max(-20, Math.min(19, Math.trunc(nice)));
  const nr = SYS_GETTID[Deno.build.arch];
  if (Deno.build.os !== "linux" || nr === undefined) {
    return { requested, effective: null, note: `not supported on ${Deno.build.os}` };
  }
  let lib: Deno.DynamicLibrary<typeof symbols>;
  try {
    lib = openLibc(symbols);
  } catch (err) {
    const why = err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.PermissionDenied
      ? "needs --allow-ffi"
      : String((err as Error)?.message ?? err);
    return { requested, effective: null, note: `could not set the thread priority: ${why}` };
  }
  try {
    const tid = Number(lib.symbols.syscall(BigInt(nr)));
    const rc = lib.symbols.setpriority(PRIO_PROCESS, tid, requested);
    const effective = lib.symbols.getpriority(PRIO_PROCESS, tid);
    if (rc !== 0) {
      return {
        requested,
        effective,
        note: requested < 0
          ? "not permitted: a higher priority needs CAP_SYS_NICE (root, or --cap-add SYS_NICE)"
          : "setpriority failed",
      };
    }
    return { requested, effective };
  } finally {
    lib.close();
  }
}
