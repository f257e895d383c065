// Template cache: stream keys, bounded domains/templates/samplers, withdrawal by kind.
import assert from "node:assert/strict";
import { TemplateCache, templateSlots } from "./template_cache.ts";
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

Deno.test("streams are keyed by exporter, version and source id; a full table evicts a bare one", () => {
  const cache = new TemplateCache({
    maxDomains: 2,
    maxTemplatesPerDomain: 10,
    maxSamplersPerDomain: 2,
  });
  const a = cache.domain("198.51.100.1", 9, 0);
  assert.equal(cache.domain("198.51.100.1", 9, 0), a);
  const b = cache.domain("198.51.100.1", 10, 0);
  assert.notEqual(b, a);
  assert.equal(cache.setTemplate(a, template(256)), null);
  cache.domain("198.51.100.1", 9, 1); // evicts the oldest stream without templates (b), not a
  assert.equal(cache.domain("198.51.100.1", 9, 0), a);
  assert.notEqual(cache.domain("198.51.100.1", 10, 0), b);
});

Deno.test("a full table of streams with live templates refuses new streams", () => {
  const cache = new TemplateCache({
    maxDomains: 2,
    maxTemplatesPerDomain: 10,
    maxSamplersPerDomain: 2,
    idleMs: 1000,
  });
  for (const id of [0, 1]) {
    cache.setTemplate(cache.domain("198.51.100.1", 9, id, 0), template(256), 0);
  }
  const refused = cache.domain("198.51.100.1", 9, 2, 500);
  assert.equal(refused.registered, false);
  assert.equal(cache.setTemplate(refused, template(256), 500), "stream_refused");
  assert.equal(cache.domainCount, 2);
  // Once a stream's templates went idle, it makes room.
  assert.equal(cache.domain("198.51.100.1", 9, 3, 2000).registered, true);
  assert.equal(cache.domainCount, 2);
});

Deno.test("templates are capped per exporter and in total; idle ones make room", () => {
  const cache = new TemplateCache({
    maxDomains: 100,
    maxTemplatesPerDomain: 100,
    maxSamplersPerDomain: 2,
    maxTemplates: 6,
    maxTemplatesPerExporter: 4,
    idleMs: 1000,
  });
  const a = cache.domain("198.51.100.1", 9, 0, 0);
  const a2 = cache.domain("198.51.100.1", 9, 1, 0);
  for (const id of [256, 257]) assert.equal(cache.setTemplate(a, template(id), 0), null);
  for (const id of [256, 257]) assert.equal(cache.setTemplate(a2, template(id), 0), null);
  assert.equal(cache.setTemplate(a2, template(258), 10), "exporter_full");
  assert.equal(cache.setTemplate(a, template(256), 10), null, "a refresh is always stored");
  const b = cache.domain("198.51.100.2", 9, 0, 0);
  for (const id of [256, 257]) assert.equal(cache.setTemplate(b, template(id), 20), null);
  assert.equal(cache.setTemplate(b, template(258), 20), "cache_full");
  assert.equal(cache.templateCount, 6);
  // A template of 33..64 fields weighs two slots.
  const wide = compileTemplate(
    300,
    Array.from({ length: 40 }, () => ({ id: 8, length: 4, enterprise: 0 })),
    0,
    false,
    true,
  ) as CompiledTemplate;
  assert.equal(templateSlots(40), 2);
  // Past the idle time, the exporter's least recently refreshed templates make room.
  assert.equal(cache.setTemplate(a2, wide, 1005), null);
  assert.equal(cache.templateCount, 5);
  assert.equal(cache.templateSlots, 6);
  assert.deepEqual([...a.templates.keys()], [256], "257 (idle) went; 256 was refreshed at 10");
  assert.deepEqual([...a2.templates.keys()], [257, 300]);
});

Deno.test("a snapshot is restored only up to the caps, and restored templates yield to live ones", () => {
  const big = new TemplateCache({
    maxDomains: 100,
    maxTemplatesPerDomain: 100,
    maxSamplersPerDomain: 2,
  });
  for (let sid = 0; sid < 10; sid++) {
    const d = big.domain("198.51.100.1", 9, sid);
    for (let id = 256; id < 266; id++) big.setTemplate(d, template(id));
  }
  const small = new TemplateCache({
    maxDomains: 100,
    maxTemplatesPerDomain: 100,
    maxSamplersPerDomain: 2,
    maxTemplates: 1000,
    maxTemplatesPerExporter: 25,
    idleMs: 1000,
  });
  const result = small.import(JSON.parse(JSON.stringify(big.export())), 5000);
  assert.equal(result.templates, 25);
  assert.equal(result.refused, 75);
  assert.equal(small.templateCount, 25);
  // A live template evicts a restored one straight away.
  assert.equal(
    small.setTemplate(small.domain("198.51.100.1", 9, 50, 5000), template(256), 5000),
    null,
  );
  assert.equal(small.templateCount, 25);
});

Deno.test("templates and samplers per stream are bounded, oldest evicted", () => {
  const cache = new TemplateCache({
    maxDomains: 10,
    maxTemplatesPerDomain: 3,
    maxSamplersPerDomain: 2,
  });
  const d = cache.domain("198.51.100.1", 10, 0);
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
  const d = cache.domain("198.51.100.1", 10, 0);
  cache.setTemplate(d, template(256));
  cache.setTemplate(d, template(257, true));
  cache.withdraw(d, 3, true, true);
  assert.deepEqual([...d.templates.keys()], [256]);
  cache.setTemplate(d, template(258));
  cache.withdraw(d, 256, false, false);
  assert.deepEqual([...d.templates.keys()], [258]);
});

Deno.test("a template that grows never counts its own old slots as idle room", () => {
  const cache = new TemplateCache({
    maxDomains: 10,
    maxTemplatesPerDomain: 10,
    maxSamplersPerDomain: 2,
    maxTemplatesPerExporter: 2,
    idleMs: 1000,
  });
  const a = cache.domain("198.51.100.1", 9, 0, 0);
  assert.equal(cache.setTemplate(a, template(256), 0), null);
  assert.equal(cache.setTemplate(a, template(257), 1500), null);
  const wide = compileTemplate(
    256,
    Array.from({ length: 40 }, () => ({ id: 8, length: 4, enterprise: 0 })),
    0,
    false,
    true,
  ) as CompiledTemplate;
  // 256 is idle at 2000 but is the template being replaced; 257 is live: no room for 2 slots.
  assert.equal(cache.refusal(a, 256, 40, 2000), "exporter_full");
  assert.equal(cache.setTemplate(a, wide, 2000), "exporter_full");
  assert.deepEqual([...a.templates.keys()], [256, 257]);
  // Once 257 is idle too, it makes the room.
  assert.equal(cache.setTemplate(a, wide, 2600), null);
  assert.deepEqual([...a.templates.keys()], [256]);
  assert.equal(cache.templateSlots, 2);
});
