// Deno KV, the store of current state (sessions, host state, leases, rate limits).

export async function openKv(path: string): Promise<Deno.Kv> {
  if (path !== ":memory:") {
    const dir = path.replace(/\/[^/]*$/, "");
    if (dir && dir !== path) await Deno.mkdir(dir, { recursive: true });
  }
  return await Deno.openKv(path);
}
