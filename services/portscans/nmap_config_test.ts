import { openKvStateStore } from "@/services/store/mod.ts";
import assert from "node:assert/strict";
import { ConfigError, parseConfig } from "@/services/config/config.ts";
import { AppError } from "@/services/errors.ts";
import { startBackground } from "@/services/background.ts";
import { createDeps, type Deps } from "@/services/services.ts";
import type { Db } from "@/services/store/mod.ts";
import { parseNmapArgs } from "./nmap_args.ts";
import { validateNmapConfig } from "./nmap_config.ts";

/** Options an operator might try in NMAP_ARGS or a request, and what the refusal must name. */
const REFUSED: Array<[string, RegExp]> = [
  ["--script vuln", /NSE scripts/],
  ["--script=http-title", /NSE scripts/],
  ["--scr vuln", /abbreviation of --script/],
  ["-sC", /default NSE scripts/],
  ["-A", /NSE scripts/],
  ["-iL /etc/passwd", /reads targets from a file/],
  ["-iR 100", /random Internet hosts/],
  ["--exclude 10.0.0.1", /target list/],
  ["-oN /tmp/out", /writes an output file/],
  ["-oX /tmp/x.xml", /writes an output file/],
  ["--datadir /tmp", /nmap data files/],
  ["--stylesheet http://evil/x.xsl", /stylesheet/],
  ["-S 10.0.0.9", /spoofs the source/],
  ["-D RND:10", /decoy/],
  ["--proxies socks4://x", /relays connections/],
  ["-e eth0", /network interface/],
  ["-sI zombie", /third-party/],
  ["-b ftp.example", /FTP server/],
  ["10.0.0.0/8", /targets are chosen by Pingfold/],
  ["-p 80 scanme.nmap.org", /targets are chosen by Pingfold/],
  ["-p 80,99999", /above 65535/],
  ["-T9", /0 to 5/],
  ["--top-ports", /needs a value/],
  ["--privileged", /assume root/],
  ["-sT -sS", /needs root|cannot be combined/],
];

Deno.test("without NMAP_ARGS the default scan is used: a SYN scan only as root", () => {
  assert.deepEqual(validateNmapConfig({}, { root: false }), [
    "-Pn",
    "-T3",
    "--top-ports",
    "1000",
    "-sT",
    "-sV",
  ]);
  assert.deepEqual(validateNmapConfig({ NMAP_ARGS: "  " }, { root: true }), [
    "-Pn",
    "-T3",
    "--top-ports",
    "1000",
    "-sS",
    "-sV",
  ]);
});

Deno.test("a valid NMAP_ARGS is normalized", () => {
  assert.deepEqual(
    validateNmapConfig({ NMAP_ARGS: "-Pn -T 4 --top-ports=100 -sT" }, { root: false }),
    ["-Pn", "-T4", "--top-ports", "100", "-sT"],
  );
  assert.deepEqual(validateNmapConfig({ NMAP_ARGS: "-sS -p 22,80" }, { root: true }), [
    "-sS",
    "-p",
    "22,80",
  ]);
});

Deno.test("NMAP_ARGS with a refused option stops start-up with a message naming it", () => {
  for (const [args, why] of REFUSED) {
    assert.throws(
      () => validateNmapConfig({ NMAP_ARGS: args }, { root: false }),
      (e) => {
        assert.ok(e instanceof ConfigError, `${args}: ${e}`);
        assert.match(e.message, /^invalid configuration:\n {2}NMAP_ARGS="/);
        assert.match(e.message, why, `${args}: ${e.message}`);
        return true;
      },
    );
  }
  // -sS needs raw sockets: refused when not root, allowed as root.
  assert.throws(() => validateNmapConfig({ NMAP_ARGS: "-sS" }, { root: false }), /needs root/);
});

Deno.test("the same options are refused per request with 422 invalid_nmap_args", () => {
  for (const [args, why] of REFUSED) {
    assert.throws(
      () => parseNmapArgs(args, { isRoot: false }),
      (e) =>
        e instanceof AppError && e.status === 422 && e.code === "invalid_nmap_args" &&
        why.test(e.message),
      args,
    );
  }
});

Deno.test("startBackground refuses a bad NMAP_ARGS even with every scheduler off", async () => {
  const kv = await openKvStateStore(":memory:");
  try {
    const cfg = parseConfig({
      DISABLE_SCHEDULER: "1",
      ENABLE_NMAP_SCHEDULER: "0",
      NMAP_ARGS: "-sT --script=vuln",
    });
    const deps: Deps = createDeps({
      cfg,
      db: {} as Db, // never reached: the check comes first
      kv,
      now: Date.now,
      version: "test",
    });
    await assert.rejects(startBackground(deps), (e) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /NMAP_ARGS="-sT --script=vuln": nmap option "--script=vuln"/);
      return true;
    });
    const ok = await startBackground({ ...deps, cfg: { ...cfg, NMAP_ARGS: "-sT -p 22" } });
    await ok.stop();
  } finally {
    kv.close();
  }
});
