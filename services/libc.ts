// Opens the C library through FFI (glibc or musl) for the few socket and thread calls Deno has no
// API for: SO_RCVBUF and thread priorities (netflow), malloc_trim (memory_trim.ts).
const LIBC_NAMES = ["libc.so.6", "libc.musl-x86_64.so.1", "libc.musl-aarch64.so.1", "libc.so"];

/** The first C library that loads with `symbols`; throws the last error when none does. */
export function openLibc<S extends Deno.ForeignLibraryInterface>(
  symbols: S,
): Deno.DynamicLibrary<S> {
  let last: unknown;
  for (const name of LIBC_NAMES) {
    try {
      return Deno.dlopen(name, symbols);
    } catch (err) {
      last = err;
    }
  }
  throw last;
}
