import assert from "node:assert/strict";
import { nmapErrorText, portListProblem, portScanArgs, portSetText } from "./port_scan_text.ts";
import { actionErrorText, pingResultText } from "./action_text.ts";

Deno.test("port lists: checked in words, turned into allowlisted nmap options", () => {
  assert.equal(portListProblem("22, 80,8000-8100"), null);
  assert.match(portListProblem("")!, /at least one port/);
  assert.match(portListProblem("70000")!, /1 to 65535/);
  assert.match(portListProblem("90-80")!, /reversed/);
  assert.match(portListProblem("ssh")!, /not a port/);
  assert.deepEqual(portScanArgs("top100"), ["-Pn", "-T3", "-sT", "-sV", "--top-ports", "100"]);
  assert.deepEqual(portScanArgs("custom", "22, 80"), ["-Pn", "-T3", "-sT", "-sV", "-p", "22,80"]);
  assert.equal(portSetText(portScanArgs("top1000")!), "top 1000 ports");
  assert.equal(portScanArgs("scheduled"), undefined);
  assert.equal(portSetText(["-p22,80"]), "ports 22,80");
  assert.equal(portSetText(["-sT"]), "nmap's default ports");
});

Deno.test("nmap failures and refused requests read as sentences", () => {
  assert.equal(
    nmapErrorText("nmap timed out after 300000 ms scanning 10.0.0.1"),
    "nmap did not finish within 300 seconds; scan fewer ports or raise NMAP_TIMEOUT_SECONDS.",
  );
  assert.equal(
    nmapErrorText("nmap exited with code 1 scanning 10.0.0.1: Only 1 -p option allowed"),
    "nmap stopped with an error: Only 1 -p option allowed.",
  );
  assert.equal(nmapErrorText(null), "");
  assert.equal(
    actionErrorText(429, { error: { code: "rate_limited", details: { retry_after: 42 } } }, "ping"),
    "Too many requests; try again in 42 seconds.",
  );
  assert.match(
    actionErrorText(422, { error: { code: "outside_scan_scope", message: "x" } }, "ping"),
    /outside the scan scope/,
  );
  assert.equal(pingResultText(1, 0.42), "Answered in 0.4 ms.");
  assert.equal(pingResultText(0, null), "No answer.");
});
