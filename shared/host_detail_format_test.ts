import assert from "node:assert/strict";
import {
  eventText,
  formatPercent,
  formatUtc,
  portLabel,
  portProduct,
  textToTags,
  timeAgo,
} from "./host_detail_format.ts";

const port = (port: number, service: string, proto = "tcp") => ({
  port,
  proto,
  service,
  product: "",
  version: "",
});

Deno.test("port chips read like 22/ssh; unnamed and non-TCP ports stay clear", () => {
  assert.equal(portLabel(port(22, "ssh")), "22/ssh");
  assert.equal(portLabel(port(443, "https")), "443/https");
  assert.equal(portLabel(port(8080, "")), "8080/tcp");
  assert.equal(portLabel(port(53, "domain", "udp")), "53/domain (udp)");
  assert.equal(portProduct({ product: " OpenSSH ", version: "9.2p1" }), "OpenSSH 9.2p1");
  assert.equal(portProduct({ product: "", version: "" }), "");
});

Deno.test("uptime percentages never round an outage up to 100 %", () => {
  assert.equal(formatPercent(null), "—");
  assert.equal(formatPercent(1), "100 %");
  assert.equal(formatPercent(0), "0 %");
  assert.equal(formatPercent(0.5), "50.0 %");
  assert.equal(formatPercent(2 / 3), "66.6 %");
  assert.equal(formatPercent(0.99999), "99.99 %");
});

Deno.test("times: UTC text independent of the time zone; relative ages", () => {
  assert.equal(formatUtc("2026-01-20T12:34:56.789Z"), "2026-01-20 12:34 UTC");
  assert.equal(formatUtc(null), "—");
  assert.equal(formatUtc("not a date"), "—");
  const now = Date.parse("2026-01-20T12:00:00Z");
  assert.equal(timeAgo("2026-01-20T11:59:58Z", now), "just now");
  assert.equal(timeAgo("2026-01-20T11:48:00Z", now), "12m ago");
  assert.equal(timeAgo(null, now), "never");
});

Deno.test("event lines for flips, discovery, renames and port changes", () => {
  const ts = "2026-01-20T12:00:00Z";
  assert.equal(
    eventText({ kind: "down", ts, detail: { after_s: 3 * 3600 } }),
    "Went down after 3h up",
  );
  assert.equal(
    eventText({ kind: "up", ts, detail: { latency_ms: 0.42, after_s: 720 } }),
    "Came up (0.4 ms) after 12m down",
  );
  assert.equal(
    eventText({ kind: "discovered", ts, detail: { method: "fping" } }),
    "Discovered by fping",
  );
  assert.equal(
    eventText({
      kind: "hostname_changed",
      ts,
      detail: { from: null, to: "a.example", source: "ptr" },
    }),
    "Name changed from none to a.example (ptr)",
  );
  assert.equal(
    eventText({
      kind: "port_opened",
      ts,
      detail: { port: 22, proto: "tcp", service: "ssh", product: "OpenSSH", version: "9" },
    }),
    "Port 22/ssh opened: OpenSSH 9",
  );
  assert.equal(
    eventText({ kind: "port_closed", ts, detail: { port: 80, proto: "tcp", service: "http" } }),
    "Port 80/http closed",
  );
  assert.equal(
    eventText({
      kind: "service_changed",
      ts,
      detail: {
        port: 80,
        proto: "tcp",
        from: { service: "http", product: "nginx" },
        to: { service: "http", product: "Apache" },
      },
    }),
    "Port 80/tcp changed: http nginx → http Apache",
  );
  assert.equal(eventText({ kind: "mystery", ts, detail: {} }), "mystery");
});

Deno.test("tags field: split on ';', blanks dropped", () => {
  assert.deepEqual(textToTags(" prod ;; web;"), ["prod", "web"]);
  assert.deepEqual(textToTags(""), []);
});
