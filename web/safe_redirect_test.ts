import assert from "node:assert/strict";
import { isSafeNextPath, safeNextPath } from "./safe_redirect.ts";

Deno.test("only same-origin relative paths are accepted as next", () => {
  const good = ["/", "/subnets/3", "/hosts?q=a%20b", "/search?q=10.0.0.1", "/a/b#x", "/%41"];
  for (const p of good) assert.equal(isSafeNextPath(p), true, p);
  const bad = [
    "",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "///evil.example",
    "/%2Fevil.example",
    "/%2fevil.example",
    "/%5Cevil.example",
    "/%5cevil.example",
    "/%252Fevil.example",
    "/%25252Fevil.example",
    "/%2525252Fevil.example",
    "/x/%2F%2Fevil",
    "/x\\y",
    "https://evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "evil.example",
    "./x",
    " /x",
    "/\t/evil.example",
    "/\n/evil.example",
    "/x\r\nSet-Cookie: a=b",
    "/%0d%0aSet-Cookie:a=b",
    "/%00",
    "/\u0000",
    "/%E0%A4%A",
    "/" + "a".repeat(3000),
  ];
  for (const p of bad) assert.equal(isSafeNextPath(p), false, JSON.stringify(p));
  assert.equal(safeNextPath(undefined), "/");
  assert.equal(safeNextPath("//evil"), "/");
  assert.equal(safeNextPath("/hosts"), "/hosts");
});
