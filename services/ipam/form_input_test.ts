// Form fields → validated input: per-field messages, normalize, tags, NUL, and strict UTF-8 uploads.
import assert from "node:assert/strict";
import { AppError } from "@/services/errors.ts";
import { hostFromForm, subnetFromForm, subnetToForm } from "./form_input.ts";
import { decodeUtf8, readCsvUpload } from "./csv_upload.ts";
import { findNul, validate } from "./validate.ts";
import { SubnetInputSchema } from "./input_schemas.ts";

Deno.test("subnetFromForm: values, defaults, one message per bad field", () => {
  const ok = subnetFromForm({
    cidr: " 198.51.100.0/24 ",
    name: "Servers",
    vlan: "10",
    tags: "prod; dc1 | prod",
    scan_enabled: "on",
    scan_interval_s: "",
  });
  assert.deepEqual(ok.errors, {});
  assert.equal(ok.value?.cidr, "198.51.100.0/24");
  assert.equal(ok.value?.vlan, 10);
  assert.deepEqual(ok.value?.tags, ["prod", "dc1"]);
  assert.equal(ok.value?.scan_enabled, true);
  assert.equal(ok.value?.scan_interval_s, undefined, "empty: the instance default");

  const bad = subnetFromForm({ cidr: "10.0.0.5/24", vlan: "ten", scan_interval_s: "5" });
  assert.equal(bad.value, undefined);
  assert.match(bad.errors.cidr, /host bits set; the network is 10\.0\.0\.0\/24/);
  assert.match(bad.errors.vlan, /vlan must be a number 1-4094/);
  assert.match(bad.errors.scan_interval_s, /at least 30/);
  assert.equal(bad.raw.cidr, "10.0.0.5/24", "raw input kept for redisplay");

  const fixed = subnetFromForm({ cidr: "10.0.0.5/24", normalize: "on" });
  assert.equal(fixed.value?.cidr, "10.0.0.0/24");
  assert.deepEqual(subnetFromForm({ cidr: "10.0.0.0/24", name: "a\u0000b" }).errors, {
    name: "NUL characters are not allowed",
  });
});

Deno.test("hostFromForm and subnetToForm", () => {
  const h = hostFromForm({ ip: "2001:DB8::1", mac: "0000.5e00.5301", tags: "a;b" });
  assert.equal(h.value?.ip, "2001:db8::1");
  assert.equal(h.value?.mac, "00:00:5e:00:53:01");
  assert.match(hostFromForm({ ip: "198.51.100.256" }).errors.ip, /octet 256 > 255/);
  const form = subnetToForm(
    {
      ...SubnetInputSchema.parse({ cidr: "198.51.100.0/24", tags: ["x", "y"] }),
      scan_interval_s: 300,
    } as never,
  );
  assert.equal(form.tags, "x; y");
  assert.equal(form.vlan, "");
  assert.equal(form.scan_interval_s, "300");
});

Deno.test("validate throws the router's 422 shape; findNul names the path", () => {
  assert.equal(findNul({ a: ["ok", "x\u0000"] }), "a.1");
  assert.throws(() => validate(SubnetInputSchema, { cidr: "198.51.100.0/24", vlan: 0 }), (e) => {
    assert.ok(e instanceof AppError);
    assert.equal(e.code, "validation_failed");
    assert.match(e.message, /^invalid body: vlan: vlan must be 1-4094$/);
    return true;
  });
});

Deno.test("uploads: raw body, multipart file, form text; strict UTF-8", async () => {
  const raw = (body: BodyInit, type: string) =>
    new Request("http://x/", { method: "POST", body, headers: { "content-type": type } });
  const wrap = (r: Request) => ({
    header: (n: string) => r.headers.get(n) ?? undefined,
    parseBody: async () => Object.fromEntries((await r.formData()).entries()),
    arrayBuffer: () => r.arrayBuffer(),
  });
  assert.equal(
    await readCsvUpload(wrap(raw("ip\n198.51.100.1\n", "text/csv"))),
    "ip\n198.51.100.1\n",
  );
  const fd = new FormData();
  fd.append("file", new File(["\uFEFFip\n"], "a.csv"));
  assert.equal(
    await readCsvUpload(wrap(new Request("http://x/", { method: "POST", body: fd }))),
    "ip\n",
  );
  const text = new URLSearchParams({ csv: "cidr\n198.51.100.0/24\n" });
  assert.equal(
    await readCsvUpload(wrap(raw(text, "application/x-www-form-urlencoded"))),
    "cidr\n198.51.100.0/24\n",
  );
  await assert.rejects(readCsvUpload(wrap(raw("", "text/csv"))), /body is empty/);
  await assert.rejects(
    readCsvUpload(wrap(new Request("http://x/", { method: "POST", body: new FormData() }))),
    /no CSV file/,
  );
  assert.throws(() => decodeUtf8(new Uint8Array([0x5a, 0xfc])), /not UTF-8/);
});

Deno.test("subnet form: site is optional, checked, and shown on edit", () => {
  assert.equal(subnetFromForm({ cidr: "198.51.100.0/24" }).value?.site, undefined);
  assert.equal(
    subnetFromForm({ cidr: "198.51.100.0/24", site: " branch-2 " }).value?.site,
    "branch-2",
  );
  assert.match(
    subnetFromForm({ cidr: "198.51.100.0/24", site: "a.b" }).errors.site ?? "",
    /site must be 1-63 letters/,
  );
  assert.equal(
    subnetToForm({
      cidr: "198.51.100.0/24",
      name: null,
      description: null,
      vlan: null,
      tags: [],
      location: null,
      scan_enabled: false,
      scan_interval_s: 300,
      site: "branch-2",
    }).site,
    "branch-2",
  );
});
