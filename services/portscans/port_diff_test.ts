import assert from "node:assert/strict";
import { diffPorts, type PortObservation } from "./port_diff.ts";

const p = (port: number, over: Partial<PortObservation> = {}): PortObservation => ({
  port,
  proto: "tcp",
  state: "open",
  service: "svc",
  product: "",
  version: "",
  probed: false,
  ...over,
});
const all = () => true;
const kinds = (d: ReturnType<typeof diffPorts>) => d.changes.map((c) => `${c.kind} ${c.port}`);

Deno.test("the first scan of a host is a baseline: no events", () => {
  const d = diffPorts(null, [p(22), p(80)], all);
  assert.deepEqual(d.changes, []);
  assert.deepEqual(d.retire, []);
});

Deno.test("opened and closed ports against the current set", () => {
  const d = diffPorts([p(22), p(80)], [p(22), p(443, { service: "https" })], all);
  assert.deepEqual(kinds(d), ["port_closed 80", "port_opened 443"]);
  const opened = d.changes.find((c) => c.kind === "port_opened")!;
  assert.deepEqual(opened.detail, {
    port: 443,
    proto: "tcp",
    service: "https",
    product: "",
    version: "",
    previous_state: null,
  });
  const closed = d.changes.find((c) => c.kind === "port_closed")!;
  assert.equal(closed.detail.state, null, "folded into extraports: not listed");
  assert.deepEqual(d.retire.map((r) => r.port).sort(), [22, 80]);
});

Deno.test("a port listed as closed or filtered closes an open one and opens from it", () => {
  const d = diffPorts(
    [p(22), p(8080, { state: "filtered" })],
    [p(22, { state: "closed" }), p(8080)],
    all,
  );
  assert.deepEqual(kinds(d), ["port_closed 22", "port_opened 8080"]);
  assert.equal(d.changes[0].detail.state, "closed");
  assert.equal(d.changes[1].detail.previous_state, "filtered");
});

Deno.test("protocols are separate ports", () => {
  const d = diffPorts([p(53, { proto: "udp" })], [p(53)], all);
  assert.deepEqual(d.changes.map((c) => `${c.kind} ${c.proto}/${c.port}`), [
    "port_opened tcp/53",
    "port_closed udp/53",
  ]);
});

Deno.test("service changes count only between two version-detected observations", () => {
  const before = p(80, { service: "http", product: "nginx", version: "1.24", probed: true });
  const upgraded = { ...before, version: "1.26" };
  const d = diffPorts([before], [upgraded], all);
  assert.deepEqual(kinds(d), ["service_changed 80"]);
  assert.deepEqual(d.changes[0].detail, {
    port: 80,
    proto: "tcp",
    from: { service: "http", product: "nginx", version: "1.24" },
    to: { service: "http", product: "nginx", version: "1.26" },
  });
  // A scan without -sV guesses "http-proxy" from the port number: not a change of service.
  const guessed = p(80, { service: "http-proxy" });
  assert.deepEqual(kinds(diffPorts([before], [guessed], all)), []);
  assert.deepEqual(kinds(diffPorts([guessed], [before], all)), []);
  assert.deepEqual(kinds(diffPorts([before], [before], all)), []);
});

Deno.test("ports a narrower scan did not cover are neither closed nor retired", () => {
  const onlyWeb = (proto: string, port: number) => proto === "tcp" && port === 8080;
  const d = diffPorts([p(22), p(8080)], [p(8080, { state: "closed" })], onlyWeb);
  assert.deepEqual(kinds(d), ["port_closed 8080"]);
  assert.deepEqual(d.retire, [{ port: 8080, proto: "tcp" }]);
  // A port the scan reported is replaced even if the coverage said otherwise.
  const d2 = diffPorts([p(22)], [p(22)], () => false);
  assert.deepEqual(d2.retire, [{ port: 22, proto: "tcp" }]);
  assert.deepEqual(d2.changes, []);
});

Deno.test("non-open current rows never produce closed events", () => {
  const d = diffPorts([p(25, { state: "filtered" })], [], all);
  assert.deepEqual(d.changes, []);
  assert.deepEqual(d.retire, [{ port: 25, proto: "tcp" }]);
});
