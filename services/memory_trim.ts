// Gives freed native memory back to the system: glibc's malloc keeps what a burst of requests
// freed (connection buffers, query results) in its arenas, so the process stayed ~35 MB
// (PostgreSQL) to ~140 MB (PGlite) above idle long after the load ended. malloc_trim(0) returns
// free pages of every arena; it takes about 1 ms (5 ms at most after a load) here.
import { log } from "@/services/logger.ts";
import { openLibc as loadLibc } from "@/services/libc.ts";

type Libc = Deno.DynamicLibrary<{ malloc_trim: { parameters: ["usize"]; result: "i32" } }>;

function openLibc(): Libc | null {
  if (Deno.build.os !== "linux") return null;
  try {
    return loadLibc({ malloc_trim: { parameters: ["usize"], result: "i32" } });
  } catch (err) {
    // Not glibc (musl, a sandbox without FFI): nothing to trim, nothing to fix.
    log.debug("memory trim unavailable", { error: String(err) });
    return null;
  }
}

/** Trims now and then every `intervalMs` (0: never); returns a stop function. */
export function startMemoryTrim(intervalMs: number): () => void {
  if (intervalMs <= 0) return () => {};
  const libc = openLibc();
  if (!libc) return () => {};
  const trim = () => libc.symbols.malloc_trim(0n);
  trim();
  const timer = setInterval(trim, intervalMs);
  Deno.unrefTimer(timer);
  return () => {
    clearInterval(timer);
    libc.close();
  };
}
