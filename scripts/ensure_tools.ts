// Makes sure the system tools the test suite drives are installed (apt-get as root), or says what to install.
const TOOLS: { bin: string; pkg: string; paths: string[] }[] = [
  { bin: "fping", pkg: "fping", paths: ["/usr/bin/fping", "/usr/sbin/fping"] },
  { bin: "nmap", pkg: "nmap", paths: ["/usr/bin/nmap"] },
  { bin: "ping", pkg: "iputils-ping", paths: ["/usr/bin/ping", "/bin/ping"] },
  { bin: "chromium", pkg: "chromium", paths: ["/usr/bin/chromium"] },
  { bin: "softflowd", pkg: "softflowd", paths: ["/usr/sbin/softflowd", "/usr/bin/softflowd"] },
  // The host-story lab test captures lab traffic with dumpcap for softflowd to export.
  { bin: "dumpcap", pkg: "wireshark-common", paths: ["/usr/bin/dumpcap"] },
  { bin: "nfcapd", pkg: "nfdump", paths: ["/usr/bin/nfcapd", "/usr/sbin/nfcapd"] },
  { bin: "ip", pkg: "iproute2", paths: ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"] },
  { bin: "nft", pkg: "nftables", paths: ["/usr/sbin/nft", "/sbin/nft"] },
  { bin: "iptables", pkg: "iptables", paths: ["/usr/sbin/iptables", "/sbin/iptables"] },
  { bin: "python3", pkg: "python3", paths: ["/usr/bin/python3", "/usr/local/bin/python3"] },
  // Actions run under setsid (own process group); the operations lab test's script uses curl.
  { bin: "setsid", pkg: "util-linux", paths: ["/usr/bin/setsid", "/bin/setsid"] },
  { bin: "curl", pkg: "curl", paths: ["/usr/bin/curl"] },
  // NATS JetStream: the state store's NATS KV engine and the scale-out tests.
  {
    bin: "nats-server",
    pkg: "nats-server",
    paths: ["/usr/sbin/nats-server", "/usr/bin/nats-server"],
  },
  // The NATS TLS tests make a throwaway CA and certificates with it.
  { bin: "openssl", pkg: "openssl", paths: ["/usr/bin/openssl"] },
  { bin: "snmpd", pkg: "snmpd", paths: ["/usr/sbin/snmpd"] },
  { bin: "arp-scan", pkg: "arp-scan", paths: ["/usr/sbin/arp-scan", "/usr/bin/arp-scan"] },
  // tests/deploy validates the compose files (no engine needed) and the NATS server config.
  { bin: "docker-compose", pkg: "docker-compose", paths: ["/usr/bin/docker-compose"] },
  // `deno task bench load` (run by .ci/run after the tests) drives the server with wrk.
  { bin: "wrk", pkg: "wrk", paths: ["/usr/bin/wrk"] },
  // The SMTP sink of the e-mail alert tests (/usr/bin/python3 -m aiosmtpd).
  {
    bin: "aiosmtpd",
    pkg: "python3-aiosmtpd",
    paths: ["/usr/lib/python3/dist-packages/aiosmtpd/__init__.py"],
  },
];

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

function onPath(bin: string): boolean {
  return (Deno.env.get("PATH") ?? "").split(":").some((d) => d && exists(`${d}/${bin}`));
}

export function missingPackages(): string[] {
  return TOOLS.filter((t) => !onPath(t.bin) && !t.paths.some(exists)).map((t) => t.pkg);
}

async function run(cmd: string, args: string[]): Promise<boolean> {
  const out = await new Deno.Command(cmd, {
    args,
    env: { DEBIAN_FRONTEND: "noninteractive" },
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  return out.success;
}

if (import.meta.main) {
  const missing = missingPackages();
  if (missing.length === 0) Deno.exit(0);
  const isRoot = Deno.uid?.() === 0;
  if (!isRoot) {
    console.error(
      `missing tools for the test suite. Install them with:\n  sudo apt-get update && sudo apt-get install -y ${
        missing.join(" ")
      }`,
    );
    Deno.exit(1);
  }
  console.error(`installing ${missing.join(" ")} with apt-get…`);
  const ok = await run("apt-get", ["update", "-q"]) &&
    await run("apt-get", ["install", "-y", "-q", "--no-install-recommends", ...missing]);
  const still = missingPackages();
  if (!ok || still.length) {
    console.error(`could not install: ${still.join(" ") || missing.join(" ")}`);
    Deno.exit(1);
  }
}
