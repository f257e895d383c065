// Checks user-supplied nmap options against an allowlist, so a scan can only be tuned, never redirected.
//
// nmap parses its options with getopt_long_only: "--scr", "-script" and "-scr" all mean
// "--script". So only exact, listed spellings pass; everything else is refused, with the reason
// named when nmap would read it as something dangerous (scripts, files, other targets, spoofing).
import { AppError } from "@/services/errors.ts";

type ValueKind = "number" | "integer" | "time" | "ratio" | "ports" | "intensity" | "timing";

interface OptionSpec {
  /** The value this option takes, if any. */
  value?: ValueKind;
  /** Needs raw sockets, i.e. root. */
  root?: boolean;
  /** Options of which at most one may appear. */
  group?: "tcp-scan" | "port-set";
}

const ALLOWED: Record<string, OptionSpec> = {
  // timing
  "-T": { value: "timing" },
  "--min-rate": { value: "number" },
  "--max-rate": { value: "number" },
  "--max-retries": { value: "integer" },
  "--host-timeout": { value: "time" },
  "--scan-delay": { value: "time" },
  "--max-scan-delay": { value: "time" },
  "--min-parallelism": { value: "integer" },
  "--max-parallelism": { value: "integer" },
  "--min-rtt-timeout": { value: "time" },
  "--max-rtt-timeout": { value: "time" },
  "--initial-rtt-timeout": { value: "time" },
  // port selection
  "-p": { value: "ports", group: "port-set" },
  "--top-ports": { value: "integer" },
  "-F": { group: "port-set" },
  "--port-ratio": { value: "ratio" },
  "-r": {},
  // scan type and host discovery
  "-sT": { group: "tcp-scan" },
  "-sS": { group: "tcp-scan", root: true },
  "-sU": { root: true },
  "-sV": {},
  "-Pn": {},
  "-n": {},
  // version and OS detection
  "--version-intensity": { value: "intensity" },
  "--version-light": {},
  "--version-all": {},
  "-O": { root: true },
  // output shaping (stdout XML only)
  "--open": {},
  "--reason": {},
  "-6": {},
};

/** Options nmap knows that must never reach it, and why; also used to explain abbreviations. */
const FORBIDDEN: Record<string, string> = {
  "script": "runs NSE scripts (arbitrary Lua code)",
  "script-args": "passes arguments to NSE scripts",
  "script-args-file": "reads NSE script arguments from a file",
  "script-trace": "traces NSE scripts",
  "script-updatedb": "rewrites the NSE script database",
  "script-help": "loads NSE scripts",
  "script-timeout": "tunes NSE scripts",
  "sC": "runs the default NSE scripts",
  "A": "turns on NSE scripts (-A implies -sC)",
  "iL": "reads targets from a file; Pingfold chooses the targets",
  "iR": "scans random Internet hosts; Pingfold chooses the targets",
  "exclude": "changes the target list; Pingfold chooses the targets",
  "excludefile": "reads a file to change the target list",
  "oN": "writes an output file",
  "oX": "writes an output file",
  "oG": "writes an output file",
  "oA": "writes output files",
  "oS": "writes an output file",
  "oM": "writes an output file",
  "oH": "writes an output file",
  "append-output": "appends to output files",
  "resume": "reads a scan log file to resume from",
  "datadir": "loads nmap data files from another directory",
  "servicedb": "loads a service database from a file",
  "versiondb": "loads a version-probe database from a file",
  "stylesheet": "points the XML output at a stylesheet file or URL",
  "webxml": "points the XML output at a remote stylesheet",
  "no-stylesheet": "changes the XML output",
  "e": "chooses the network interface",
  "S": "spoofs the source address",
  "D": "sends decoy probes from other addresses",
  "spoof-mac": "spoofs the MAC address",
  "proxies": "relays connections through other hosts",
  "proxy": "relays connections through other hosts",
  "data": "adds a custom payload to probes",
  "data-string": "adds a custom payload to probes",
  "data-length": "pads probes with data",
  "sI": "bounces the scan off a third-party (idle) host",
  "b": "bounces the scan off a third-party FTP server",
  "sn": "skips the port scan this job exists for",
  "R": "forces reverse DNS for every address",
  "log-errors": "changes output handling",
  "privileged": "tells nmap to assume root privileges",
  "send-eth": "bypasses the IP stack",
};

const LONG_FORBIDDEN = Object.keys(FORBIDDEN).filter((k) => k.length > 1);
const LONG_ALLOWED = Object.keys(ALLOWED).filter((k) => k.startsWith("--")).map((k) => k.slice(2));

/** Whether this process runs as root (raw-socket scans, -sS/-sU/-O, need it). */
export function isRoot(): boolean {
  try {
    // Ask first: calling Deno.uid() without --allow-sys would prompt on a terminal.
    if (Deno.permissions.querySync({ name: "sys", kind: "uid" }).state !== "granted") return false;
    return Deno.uid() === 0;
  } catch {
    return false;
  }
}

/** The scan Pingfold runs when nobody asked for anything else: a SYN scan only when root. */
export function defaultNmapArgs(root: boolean): string[] {
  return ["-Pn", "-T3", "--top-ports", "1000", root ? "-sS" : "-sT", "-sV"];
}

/** {@link defaultNmapArgs} for this process. */
export const DEFAULT_NMAP_ARGS: readonly string[] = Object.freeze(defaultNmapArgs(isRoot()));

export interface NmapArgsOptions {
  /** When false, options that need raw sockets (-sS, -sU, -O) are refused up front. */
  isRoot?: boolean;
}

/**
 * Validates nmap options (a string split on whitespace, or an array of tokens) and returns them
 * normalized (`--opt=value` becomes `--opt value`, `-T 4` becomes `-T4`). Targets and output
 * options are added by the caller, never taken from here. Throws AppError 422 `invalid_nmap_args`
 * naming the first offending option and why.
 */
export function parseNmapArgs(input: string | string[], opts: NmapArgsOptions = {}): string[] {
  const tokens = (typeof input === "string" ? input.split(/\s+/) : input).filter((t) => t !== "");
  const out: string[] = [];
  const groups = new Map<string, string>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    let name = token;
    let value: string | undefined;

    const eq = token.startsWith("--") ? token.indexOf("=") : -1;
    if (eq > 0) [name, value] = [token.slice(0, eq), token.slice(eq + 1)];
    else if (/^-T./.test(token)) [name, value] = ["-T", token.slice(2)];
    else if (/^-p./.test(token)) [name, value] = ["-p", token.slice(2)];

    const spec = Object.hasOwn(ALLOWED, name) ? ALLOWED[name] : undefined;
    if (!spec) throw refuse(token, explain(token));
    if (spec.root && opts.isRoot === false) {
      throw refuse(token, "needs root (raw sockets); Pingfold is not running as root, use -sT");
    }
    if (spec.group) {
      const earlier = groups.get(spec.group);
      if (earlier) throw refuse(token, `cannot be combined with ${earlier}`);
      groups.set(spec.group, name);
    }

    if (spec.value) {
      if (value === undefined) {
        value = tokens[i + 1];
        // "-p -" (all ports) is the one value that looks like an option.
        const looksLikeOption = value?.startsWith("-") && !(name === "-p" && value === "-");
        if (value === undefined || looksLikeOption) {
          throw refuse(token, `needs a value (${describe(spec.value)})`);
        }
        i++;
      }
      const problem = checkValue(spec.value, value);
      if (problem) throw refuse(token, `value "${value}" ${problem}`);
      out.push(...(name === "-T" ? [`-T${value}`] : [name, value]));
    } else {
      if (value !== undefined) throw refuse(token, "takes no value");
      out.push(name);
    }
  }
  return out;
}

function explain(token: string): string {
  if (!token.startsWith("-") || token === "-" || token === "--") {
    return "is not an option; targets are chosen by Pingfold and cannot be passed in nmap arguments";
  }
  const bare = token.replace(/^--?/, "").split("=")[0];
  if (Object.hasOwn(FORBIDDEN, bare)) return `is not allowed: it ${FORBIDDEN[bare]}`;
  // getopt_long_only: "-scr" and "--scr" are both read as the unique long option they start;
  // a single letter after one dash ("-v") stays a short option.
  const longish = token.startsWith("--") || bare.length > 1;
  const forbidden = longish ? LONG_FORBIDDEN.filter((k) => k.startsWith(bare)) : [];
  if (forbidden.length > 0) {
    const full = forbidden.sort((a, b) => a.length - b.length)[0];
    return `is not allowed: nmap reads it as an abbreviation of --${full}, which ${
      FORBIDDEN[full]
    }`;
  }
  const allowed = LONG_ALLOWED.filter((k) => k.startsWith(bare));
  if (token.startsWith("--") && allowed.length > 0) {
    return `is an abbreviation; write the option in full (--${allowed.join(" or --")})`;
  }
  return `is not an allowed nmap option (allowed: ${Object.keys(ALLOWED).join(" ")})`;
}

function checkValue(kind: ValueKind, value: string): string | null {
  switch (kind) {
    case "timing":
      return /^[0-5]$/.test(value) ? null : "must be 0 to 5 (-T0 … -T5)";
    case "number":
      return /^\d+(\.\d+)?$/.test(value) && Number(value) > 0 ? null : "must be a positive number";
    case "integer":
      return /^\d{1,6}$/.test(value) ? null : "must be a whole number";
    case "intensity":
      return /^[0-9]$/.test(value) ? null : "must be 0 to 9";
    case "ratio":
      return /^(0(\.\d+)?|1(\.0+)?|\.\d+)$/.test(value) ? null : "must be a decimal from 0 to 1";
    case "time":
      return /^\d+(\.\d+)?(ms|s|m|h)?$/.test(value)
        ? null
        : "must be a duration such as 500ms, 30s, 5m or 1h";
    case "ports":
      return checkPorts(value);
  }
}

/** Port lists as nmap takes them, minus service names and wildcards: 22,80,1000-2000,U:53,-. */
function checkPorts(value: string): string | null {
  const hint = "must list ports such as 22,80,443, ranges such as 1-1024, or T:/U: prefixes";
  if (value === "-") return null;
  for (const rawItem of value.split(",")) {
    const item = rawItem.replace(/^[TUSP]:/, "");
    const m = /^(\d*)-(\d*)$/.exec(item) ?? /^(\d+)()$/.exec(item);
    if (!m) return hint;
    const [lo, hi] = [m[1], m[2]].map((p) => p === "" ? null : Number(p));
    if ((lo !== null && lo > 65535) || (hi !== null && hi > 65535)) return "has a port above 65535";
    if (lo !== null && hi !== null && lo > hi) return `has a reversed range "${item}"`;
  }
  return null;
}

function describe(kind: ValueKind): string {
  return {
    timing: "0 to 5",
    number: "a positive number",
    integer: "a whole number",
    intensity: "0 to 9",
    ratio: "a decimal from 0 to 1",
    time: "a duration such as 30s",
    ports: "a port list such as 22,80,443",
  }[kind];
}

function refuse(token: string, why: string): AppError {
  return new AppError(422, "invalid_nmap_args", `nmap option "${token}" ${why}`, {
    option: token,
  });
}
