// Benchmarks the folded view on a busy /16 (run with `deno bench services/ipam/`).
import { bigIntToIp, parseCidr } from "./cidr.ts";
import { foldAddresses } from "./fold.ts";

const cidr = parseCidr("198.18.0.0/16");
const hosts = Array.from({ length: 5000 }, (_, i) => ({
  ip: bigIntToIp(cidr.first + 1n + BigInt((i * 7919) % 65534), 4),
  hostname: `h${i}`,
}));

Deno.bench("foldAddresses: 5,000 unsorted hosts in a /16", () => {
  foldAddresses(cidr, hosts);
});

Deno.bench("foldAddresses: 5,000 hosts, cidr given as a string", () => {
  foldAddresses("198.18.0.0/16", hosts);
});
