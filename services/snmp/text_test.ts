import assert from "node:assert/strict";
import { cleanSnmpText, hostnameFromSysName, MAX_SNMP_TEXT } from "./text.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

Deno.test("cleanSnmpText decodes octets and strips control and invisible characters", () => {
  assert.equal(cleanSnmpText(bytes("core-sw1")), "core-sw1");
  assert.equal(cleanSnmpText(bytes("evil\x1b[31mred\x1b[0m\r\nnext\x00")), "evil [31mred [0m next");
  // Bidi override (U+202E) and zero-width space could disguise a name; both go.
  assert.equal(cleanSnmpText("gpj\u202Eexe.\u200Bname"), "gpj exe. name");
  assert.equal(cleanSnmpText("  many   \t spaces  "), "many spaces");
  assert.equal(cleanSnmpText("\x85C1 control\x9b"), "C1 control");
  assert.equal(cleanSnmpText(new Uint8Array([0x66, 0xff, 0x6f])), "f\uFFFDo", "bad UTF-8");
  assert.equal(cleanSnmpText(bytes("\x00\x01 \x7f")), null);
  assert.equal(cleanSnmpText(42), null);
  assert.equal(cleanSnmpText(null), null);
});

Deno.test("cleanSnmpText caps length in code points", () => {
  assert.equal(cleanSnmpText("x".repeat(10_000))!.length, MAX_SNMP_TEXT);
  const emoji = cleanSnmpText("😀".repeat(300))!;
  assert.equal([...emoji].length, MAX_SNMP_TEXT, "never splits a surrogate pair");
  assert.equal(cleanSnmpText("abcdef", 3), "abc");
});

Deno.test("hostnameFromSysName makes a DNS-field name from a free-text sysName", () => {
  assert.equal(hostnameFromSysName("fw01.example.net"), "fw01.example.net");
  assert.equal(hostnameFromSysName("fw01.example.net."), "fw01.example.net");
  assert.equal(hostnameFromSysName("Core Switch 1"), "Core-Switch-1");
  assert.equal(hostnameFromSysName("<script>alert(1)</script>"), "script-alert-1-script");
  assert.equal(hostnameFromSysName("router_a"), "router_a");
  assert.equal(hostnameFromSysName("Zürich-AP"), "Zürich-AP");
  assert.equal(hostnameFromSysName("--..--"), null);
  assert.equal(hostnameFromSysName(""), null);
  assert.equal(hostnameFromSysName(null), null);
  assert.equal(hostnameFromSysName("a".repeat(100)), "a".repeat(63));
  const long = hostnameFromSysName(Array.from({ length: 10 }, () => "b".repeat(60)).join("."))!;
  assert.ok(long.length <= 253 && long.endsWith("b"), long);
});
