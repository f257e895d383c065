// The build outputs stay in step with the sources: route manifest, islands bundle, compile task.
import assert from "node:assert/strict";
import { filePathToPattern, manifestSource, scanRoutes } from "./gen_routes.ts";
import { islandNames } from "./build_islands.ts";

Deno.test("route file names map to URL patterns like Fresh's", () => {
  assert.equal(filePathToPattern("index.tsx"), "/");
  assert.equal(filePathToPattern("subnets/index.tsx"), "/subnets");
  assert.equal(filePathToPattern("subnets/[id].tsx"), "/subnets/:id");
  assert.equal(filePathToPattern("api/v1/hosts.ts"), "/api/v1/hosts");
});

Deno.test("routes.gen.ts matches the files in routes/ (run `deno task routes`)", async () => {
  const current = await Deno.readTextFile(new URL("../routes.gen.ts", import.meta.url));
  assert.equal(current, manifestSource(await scanRoutes()));
});

Deno.test("the islands bundle hydrates every island", async () => {
  const bundle = await Deno.readTextFile(new URL("../_build/islands_entry.tsx", import.meta.url));
  for (const name of await islandNames()) assert.match(bundle, new RegExp(`islands/${name}\\.tsx`));
});

Deno.test("deno task compile embeds everything the server reads from disk at run time", async () => {
  const cfg = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const task: string = cfg.tasks.compile;
  for (
    const dir of [
      "static",
      "_build",
      "services/store/migrations",
      "services/netflow/collector_worker.ts",
    ]
  ) {
    assert.ok(task.includes(`--include ${dir}`), `compile task includes ${dir}`);
  }
  for (const flag of ["--unstable-kv", "--unstable-cron", "--unstable-net"]) {
    assert.ok(task.includes(flag), `compile task has ${flag}`);
  }
});
