import assert from "node:assert/strict";
import { AppError } from "@/services/errors.ts";
import { DEFAULT_NMAP_ARGS, defaultNmapArgs, isRoot, parseNmapArgs } from "./nmap_args.ts";

Deno.test("allowed timing, port, scan-type and version options pass, normalized", () => {
  assert.deepEqual(
    parseNmapArgs(
      "-T4 --min-rate=500 --max-retries 2 --host-timeout 30s -p 22,80,1000-2000,U:53 -sT -sV " +
        "--version-intensity 5 -Pn -n --open --reason",
    ),
    [
      "-T4",
      "--min-rate",
      "500",
      "--max-retries",
      "2",
      "--host-timeout",
      "30s",
      "-p",
      "22,80,1000-2000,U:53",
      "-sT",
      "-sV",
      "--version-intensity",
      "5",
      "-Pn",
      "-n",
      "--open",
      "--reason",
    ],
  );
  assert.deepEqual(parseNmapArgs(["-T", "2", "-p-", "-r", "--top-ports", "100"]), [
    "-T2",
    "-p",
    "-",
    "-r",
    "--top-ports",
    "100",
  ]);
  assert.deepEqual(parseNmapArgs("  -F   --port-ratio 0.25 --version-light -6 "), [
    "-F",
    "--port-ratio",
    "0.25",
    "--version-light",
    "-6",
  ]);
  assert.deepEqual(parseNmapArgs(""), []);
  assert.deepEqual(
    parseNmapArgs(
      "--scan-delay 500ms --max-scan-delay 1s --min-parallelism 4 --max-parallelism 64 " +
        "--min-rtt-timeout 100ms --max-rtt-timeout 2s --initial-rtt-timeout 1s --max-rate 100.5 " +
        "--version-all -p22",
    ).length,
    19,
  );
});

Deno.test("options that run scripts, touch files, change targets or spoof are refused by name", () => {
  const cases: Array<[string, RegExp]> = [
    ["--script vuln", /"--script" is not allowed: it runs NSE scripts/],
    ["--script=default", /"--script=default" is not allowed: it runs NSE scripts/],
    ["-script vuln", /"-script" is not allowed: it runs NSE scripts/],
    ["-sC", /runs the default NSE scripts/],
    ["-A", /implies -sC/],
    ["--script-args user=x", /passes arguments to NSE scripts/],
    ["-iL /etc/hosts", /"-iL" is not allowed: it reads targets from a file/],
    ["-iR 100", /scans random Internet hosts/],
    ["-oN /tmp/x", /writes an output file/],
    ["-oX out.xml", /writes an output file/],
    ["-oG -", /writes an output file/],
    ["-oA base", /writes output files/],
    ["-oS x", /writes an output file/],
    ["--resume log", /reads a scan log file/],
    ["--datadir /tmp", /loads nmap data files/],
    ["--excludefile f", /reads a file/],
    ["--exclude 10.0.0.1", /changes the target list/],
    ["--stylesheet http://x/y.xsl", /stylesheet/],
    ["--append-output", /appends to output files/],
    ["--servicedb f", /service database/],
    ["--versiondb f", /version-probe database/],
    ["-e eth0", /chooses the network interface/],
    ["-S 203.0.113.5", /spoofs the source address/],
    ["--proxies socks4://x", /relays connections/],
    ["--data-string hi", /custom payload/],
    ["-sn", /skips the port scan/],
    ["-R", /reverse DNS/],
  ];
  for (const [input, message] of cases) assertRefused(input, message);
});

Deno.test("abbreviations nmap would expand to forbidden options are refused as such", () => {
  assertRefused("--scr vuln", /"--scr" .*abbreviation of --script, which runs NSE scripts/);
  assertRefused("-scr vuln", /abbreviation of --script\b/);
  assertRefused("--res x", /abbreviation of --resume/);
  assertRefused("--datad /tmp", /abbreviation of --datadir/);
  assertRefused("--excl x", /abbreviation of --exclude\b/);
  assertRefused("--styl x", /abbreviation of --stylesheet/);
  assertRefused("--app", /abbreviation of --append-output/);
  assertRefused("--prox x", /abbreviation of --proxies|abbreviation of --proxy/);
  // Abbreviations of allowed options are refused too: only exact spellings pass.
  assertRefused("--top 10", /abbreviation; write the option in full \(--top-ports\)/);
  assertRefused("--version-int 5", /--version-intensity/);
  assertRefused("--frobnicate", /not an allowed nmap option/);
  assertRefused("-v", /not an allowed nmap option/);
});

Deno.test("bare words (targets) and stray separators are refused", () => {
  assertRefused("-sT 198.51.100.7", /"198\.51\.100\.7" is not an option; targets are chosen/);
  assertRefused("scanme.nmap.org", /not an option/);
  assertRefused("-sT -- 10.0.0.1", /"--" is not an option/);
});

Deno.test("values are checked so nothing else hides in them", () => {
  assertRefused("-T7", /must be 0 to 5/);
  assertRefused("-p", /needs a value/);
  assertRefused("-p -sV", /needs a value/);
  assertRefused("-p http", /must list ports/);
  assertRefused("-p 22,70000", /above 65535/);
  assertRefused("-p 90-80", /reversed range/);
  assertRefused("-p 1-*", /must list ports/);
  assertRefused("--min-rate fast", /positive number/);
  assertRefused("--min-rate 0", /positive number/);
  assertRefused("--host-timeout 1d", /duration/);
  assertRefused("--version-intensity 10", /0 to 9/);
  assertRefused("--port-ratio 2", /from 0 to 1/);
  assertRefused("--top-ports -iL", /needs a value/);
  assertRefused("--open=yes", /takes no value/);
});

Deno.test("combinations nmap rejects are refused up front", () => {
  assertRefused("-sT -sS", /"-sS" cannot be combined with -sT/);
  assertRefused("-p 22 -F", /"-F" cannot be combined with -p/);
  assertRefused("-p 22 -p 80", /cannot be combined with -p/);
});

Deno.test("raw-socket options are refused when not root, allowed otherwise", () => {
  for (const opt of ["-sS", "-sU", "-O"]) {
    assertRefused(opt, /needs root/, { isRoot: false });
    assert.deepEqual(parseNmapArgs(opt, { isRoot: true }), [opt]);
  }
  assert.deepEqual(parseNmapArgs("-sT", { isRoot: false }), ["-sT"]);
});

Deno.test("the default scan is a connect scan, or a SYN scan as root, and passes the allowlist", () => {
  assert.deepEqual(defaultNmapArgs(false), ["-Pn", "-T3", "--top-ports", "1000", "-sT", "-sV"]);
  assert.deepEqual(defaultNmapArgs(true), ["-Pn", "-T3", "--top-ports", "1000", "-sS", "-sV"]);
  assert.deepEqual(DEFAULT_NMAP_ARGS, defaultNmapArgs(isRoot()));
  assert.deepEqual(parseNmapArgs([...DEFAULT_NMAP_ARGS], { isRoot: isRoot() }), DEFAULT_NMAP_ARGS);
});

function assertRefused(input: string, message: RegExp, opts = {}) {
  try {
    parseNmapArgs(input, opts);
  } catch (err) {
    assert.ok(err instanceof AppError, `${input}: expected AppError, got ${err}`);
    assert.equal(err.status, 422);
    assert.equal(err.code, "invalid_nmap_args");
    assert.match(err.message, message, `${input}: ${err.message}`);
    return;
  }
  assert.fail(`"${input}" should have been refused`);
}
