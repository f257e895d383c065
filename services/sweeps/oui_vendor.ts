// Vendor names for MAC addresses from the IEEE registry (npm `oui-data`), loaded on first use.

/** Registry keys are 6 (MA-L), 7 (MA-M) or 9 (MA-S) upper-case hex digits → "Vendor\naddress…". */
export type OuiTable = Record<string, string>;

let table: Promise<OuiTable> | undefined;

/** The registry, parsed once per process (5 MB of JSON: only loaded when a MAC needs a vendor). */
export function loadOuiTable(): Promise<OuiTable> {
  table ??= import("oui-data", { with: { type: "json" } }).then((m) => m.default as OuiTable);
  return table;
}

/**
 * The vendor registered for `mac`, longest assignment first (MA-S, then MA-M, then MA-L), or null
 * when unregistered. Locally administered addresses (random MACs of VMs, containers, phones) are
 * never a vendor's, so they give null.
 */
export function vendorOf(mac: string, oui: OuiTable): string | null {
  const hex = mac.replace(/[^0-9a-fA-F]/g, "").toUpperCase();
  if (hex.length !== 12) return null;
  if ((parseInt(hex.slice(0, 2), 16) & 0x02) !== 0) return null;
  for (const len of [9, 7, 6]) {
    const entry = oui[hex.slice(0, len)];
    if (entry) return entry.split("\n")[0].trim() || null;
  }
  return null;
}
