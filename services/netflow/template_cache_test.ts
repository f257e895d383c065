// Template cache: stream keys, bounded domains/templates/samplers, withdrawal by kind.
import assert from "node:assert/strict";
import { TemplateCache } from "./template_cache.ts";
import { CompiledTemplate, compileTemplate } from "./template_compiler.ts";

function template(id: number, options = false): CompiledTemplate {
  const t = compileTemplate(
    id,
    [{ id: 8, length: 4, enterprise: 0 }],
    options ? 1 : 0,
    options,
    true,
  );
  if (typeof t === "string") throw new Error(t);
  return t;
}

Deno.test("streams are keyed by exporter, version and source id; oldest evicted when full", () => {
  const cache = new TemplateCache({
    maxDomains: 2,
    maxTemplatesPerDomain: 10,
    maxSamplersPerDomain: 2,
  });
  const a = cache.domain("192.0.2.1", 9, 0);
  assert.equal(cache.domain("192.0.2.1", 9, 0), a);
  assert.notEqual(cache.domain("192.0.2.1", 10, 0), a);
  cache.setTemplate(a, template(256));
  cache.domain("192.0.2.1", 9, 1); // evicts the oldest stream (a)
  const again = cache.domain("192.0.2.1", 9, 0);
  assert.notEqual(again, a);
  assert.equal(again.templates.size, 0);
});

Deno.test("templates and samplers per stream are bounded, oldest evicted", () => {
  const cache = new TemplateCache({
    maxDomains: 10,
    maxTemplatesPerDomain: 3,
    maxSamplersPerDomain: 2,
  });
  const d = cache.domain("192.0.2.1", 10, 0);
  for (const id of [256, 257, 258, 259]) cache.setTemplate(d, template(id));
  cache.setTemplate(d, template(257)); // a refresh moves 257 to the newest position
  cache.setTemplate(d, template(260));
  assert.deepEqual([...d.templates.keys()], [259, 257, 260]);
  for (const id of [1, 2, 3]) cache.setSampler(d, id, id * 10);
  assert.deepEqual([...d.samplers.entries()], [[2, 20], [3, 30]]);
});

Deno.test("withdrawing all templates of one kind keeps the other kind", () => {
  const cache = new TemplateCache({
    maxDomains: 10,
    maxTemplatesPerDomain: 10,
    maxSamplersPerDomain: 2,
  });
  const d = cache.domain("192.0.2.1", 10, 0);
  cache.setTemplate(d, template(256));
  cache.setTemplate(d, template(257, true));
  cache.withdraw(d, 3, true, true);
  assert.deepEqual([...d.templates.keys()], [256]);
  cache.setTemplate(d, template(258));
  cache.withdraw(d, 256, false, false);
  assert.deepEqual([...d.templates.keys()], [258]);
});
