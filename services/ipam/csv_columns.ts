// Which CSV header names the importer understands: Pingfold's own and phpIPAM's export names.
import { HOST_FIELDS, SUBNET_FIELDS } from "./record_fields.ts";

/** Pingfold host CSV columns, in export order. Only `ip` is required. */
export const HOST_CSV_COLUMNS = ["ip", ...HOST_FIELDS] as const;

/** Pingfold subnet CSV columns, in export order. Only `cidr` is required. */
export const SUBNET_CSV_COLUMNS = ["cidr", ...SUBNET_FIELDS] as const;

export type HostCsvColumn = typeof HOST_CSV_COLUMNS[number];
export type SubnetCsvColumn = typeof SUBNET_CSV_COLUMNS[number];

/** phpIPAM host columns with no Pingfold field of the same name; see mapPhpipamHost. */
export type PhpipamHostRole = "owner" | "device" | "port" | "location" | "state" | "gateway";
/**
 * phpIPAM subnet columns: `mask` completes `subnet` when it has no "/prefix"; `folder` is the
 * isFolder flag of a database or API dump (folders group subnets and have no address).
 */
export type PhpipamSubnetRole = "mask" | "folder";

export type HostRole = HostCsvColumn | PhpipamHostRole | "ignore";
export type SubnetRole = SubnetCsvColumn | PhpipamSubnetRole | "ignore";

/**
 * Header text as compared: case, surrounding space, a trailing "*" (phpIPAM marks required
 * fields so) and the spelling of separators (space, "_", "-") do not matter.
 */
export function normalizeHeader(header: string): string {
  return header.trim().toLowerCase().replace(/\*+$/, "").replace(/[\s_-]+/g, " ").trim();
}

/**
 * phpIPAM names, from its XLS exports (admin "IP Addresses": Section, IP Address, Hostname,
 * Description, VRF, Subnet, MAC, Owner, Device, Note, Tag, Gateway; per-subnet export:
 * ip address, ip state, description, hostname, fw object, mac, owner, device, port, note,
 * location) and its import field names (section, ip_addr, hostname, description, vrf,
 * subnet, mac, owner, device, note, tag, is_gateway, port, location).
 */
export const PHPIPAM_HOST_COLUMNS: Record<string, HostRole> = {
  "ip address": "ip",
  "ip addr": "ip",
  "dns name": "hostname",
  "mac address": "mac",
  "note": "notes",
  "owner": "owner",
  "device": "device",
  "switch": "device",
  "port": "port",
  "location": "location",
  "tag": "state",
  "ip state": "state",
  "state": "state",
  "gateway": "gateway",
  "is gateway": "gateway",
  "section": "ignore",
  "vrf": "ignore",
  "subnet": "ignore",
  "mask": "ignore",
  "fw object": "ignore",
  "firewalladdressobject": "ignore",
};

/**
 * phpIPAM subnet names (admin "Subnets" export: Section, Subnet, Description, VLAN,
 * VLAN Domain, VRF, Master Subnet, Requests, Host check, Discover, Customer, where a folder's
 * Subnet cell reads "<name> (folder)"; import fields: section, subnet, mask, description, vlan,
 * domain, vrf, customer; the `subnets` table or API: subnet, mask, isFolder, sectionId...).
 */
export const PHPIPAM_SUBNET_COLUMNS: Record<string, SubnetRole> = {
  "subnet": "cidr",
  "mask": "mask",
  "isfolder": "folder",
  "is folder": "folder",
  "section": "ignore",
  "vlan domain": "ignore",
  "domain": "ignore",
  "vrf": "ignore",
  "master subnet": "ignore",
  "requests": "ignore",
  // Not mapped to scan_enabled on purpose: an import never starts scanning by itself.
  "host check": "ignore",
  "discover": "ignore",
  "customer": "ignore",
};

/** Markdown table of the columns, for the README and the import page. */
export const CSV_COLUMNS_DOC = `
### Hosts CSV (\`ip,hostname,description,tags,notes,mac\`)

| column | required | format | phpIPAM names accepted |
| --- | --- | --- | --- |
| ip | yes | IPv4 dotted quad or IPv6; stored canonical | IP Address, ip_addr, ip address |
| hostname | no | DNS name, ≤ 253 characters, labels ≤ 63 | Hostname, dns_name (free text such as \`PRINTER 3rd floor\` goes to the description, with a warning) |
| description | no | text ≤ 1000 | Description |
| tags | no | separated by \`;\` or \`\\|\`; ≤ 32 tags, each ≤ 64 characters | Tag / ip state (Reserved, DHCP, Offline → tag; Used → none), Gateway (Yes → tag \`gateway\`), Owner (→ tag \`owner:<name>\`) |
| notes | no | text ≤ 10000, may span lines | Note; Device, Port, Location, and an Owner too long for a tag become \`Label: value\` lines |
| mac | no | any of \`00:1a:2b:3c:4d:5e\`, \`00-1A-...\`, \`001a.2b3c.4d5e\`, \`001a2b3c4d5e\`; stored lowercase with colons | MAC, mac address |

### Subnets CSV (\`cidr,name,description,vlan,tags,location,scan_enabled,scan_interval_s\`)

| column | required | format | phpIPAM names accepted |
| --- | --- | --- | --- |
| cidr | yes | network/prefix, e.g. \`198.51.100.0/24\`; host bits set is an error | Subnet (\`ip/mask\`, or ip + a Mask column as \`24\` or \`255.255.255.0\`; phpIPAM's decimal form \`3325256704\` too) |
| name | no | text ≤ 200 | — |
| description | no | text ≤ 1000 | Description |
| vlan | no | 1-4094 or empty | VLAN (\`NA\` = none) |
| tags | no | as for hosts | — |
| location | no | text ≤ 200 | — |
| scan_enabled | no | true/false, yes/no, 1/0, on/off; default false | — (phpIPAM "Host check" is ignored: importing never starts scanning) |
| scan_interval_s | no | seconds, 30-604800; default \`SCAN_SWEEP_INTERVAL_MINUTES\` × 60 (300) | — |

Header names ignore case and \`_\`/space/\`-\` differences. The file may start with a UTF-8 BOM,
use CRLF or LF, and be separated by \`,\`, \`;\` or tab (detected from the header). Lines are
numbered from 1 = the header; each bad row is reported with its line. An import is all-or-nothing:
with any bad row nothing is written, unless \`skip_errors=true\` imports the other rows.
A repeated ip/cidr is reported as \`duplicate of line N\`. In a Pingfold file an unknown column is
an error; in a phpIPAM file (recognized by phpIPAM-only columns such as Section, IP Address,
Owner, Note, Subnet, Mask) columns not listed above (VRF, Section, custom fields...) are ignored
and listed in \`ignored_columns\`. phpIPAM folders (a Subnet cell \`Name (folder)\`, or
\`isFolder\` = 1) are not subnets: they are skipped and listed in \`skipped_folders\`, not
errors. A phpIPAM hostname that is not a DNS name (\`PRINTER 3rd floor\`) keeps its row: the
text goes to the description (before any description the row has) and the row gets a warning in
\`warnings\`. Cells starting with \`'\` followed by \`= + - @\` (formula guard
added by the export) are read back without the apostrophe.
`.trim();
