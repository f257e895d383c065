// Scripted nmap for port-scan tests: writes `-oX -` reports the way nmap 7.93 does (attributes
// escaped), from a per-address script, and records every call. Real nmap runs in the lab tests.
import type { CommandRunner, RunResult } from "@/services/jobs/mod.ts";

export interface FakePort {
  port: number;
  proto?: "tcp" | "udp";
  state?: string;
  service?: string;
  product?: string;
  version?: string;
  /** nmap's service method: "probed" (version detection) or "table" (default). */
  method?: "probed" | "table";
}

export interface FakeHost {
  status?: string;
  timedout?: boolean;
  ports: FakePort[];
}

const esc = (s: string) =>
  s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&apos;");

/** One nmap XML report; `services` is the scaninfo port list (nmap's own compressed form). */
export function nmapReport(
  hosts: Array<[string, FakeHost]>,
  services: Record<string, string> = { tcp: "1-1000" },
): string {
  const info = Object.entries(services).map(([proto, list]) =>
    `<scaninfo type="connect" protocol="${proto}" numservices="1" services="${list}"/>`
  ).join("\n");
  const body = hosts.map(([ip, h]) => {
    const ports = h.ports.map((p) => {
      const attrs = [`name="${esc(p.service ?? "")}"`];
      if (p.product) attrs.push(`product="${esc(p.product)}"`);
      if (p.version) attrs.push(`version="${esc(p.version)}"`);
      attrs.push(`method="${p.method ?? "table"}"`, `conf="3"`);
      return `<port protocol="${p.proto ?? "tcp"}" portid="${p.port}">` +
        `<state state="${p.state ?? "open"}" reason="syn-ack" reason_ttl="0"/>` +
        `<service ${attrs.join(" ")}/></port>`;
    }).join("\n");
    const family = ip.includes(":") ? "ipv6" : "ipv4";
    return `<host starttime="1" endtime="2"${h.timedout ? ' timedout="true"' : ""}>` +
      `<status state="${h.status ?? "up"}" reason="user-set" reason_ttl="0"/>\n` +
      `<address addr="${ip}" addrtype="${family}"/>\n<hostnames>\n</hostnames>\n` +
      (h.timedout ? "" : `<ports><extraports state="closed" count="990"/>\n${ports}</ports>\n`) +
      `</host>`;
  }).join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE nmaprun>\n` +
    `<nmaprun scanner="nmap" args="nmap" start="1" version="7.93" xmloutputversion="1.05">\n` +
    `${info}\n${body}\n<runstats><finished time="2" exit="success"/></runstats>\n</nmaprun>\n`;
}

export interface ScriptedNmap {
  runner: CommandRunner;
  /** argv of every call. */
  calls: string[][];
  /** What each address answers next; absent addresses are left out of the report. */
  script: Map<string, FakeHost>;
  /** scaninfo of the next reports. */
  services: Record<string, string>;
  /** Replaces the whole result of the next calls (nmap missing, crash…). */
  override: RunResult | null;
}

export function scriptedNmap(): ScriptedNmap {
  const fake: ScriptedNmap = {
    calls: [],
    script: new Map(),
    services: { tcp: "1-1000" },
    override: null,
    runner: (cmd, args) => {
      if (cmd !== "nmap") throw new Error(`scripted nmap asked to run ${cmd}`);
      fake.calls.push(args);
      if (fake.override) return Promise.resolve(fake.override);
      const dashes = args.indexOf("--");
      const targets = dashes >= 0 ? args.slice(dashes + 1) : [];
      const hosts = targets.flatMap((ip) => {
        const h = fake.script.get(ip);
        return h ? [[ip, h] as [string, FakeHost]] : [];
      });
      return Promise.resolve({ code: 0, stdout: nmapReport(hosts, fake.services), stderr: "" });
    },
  };
  return fake;
}
