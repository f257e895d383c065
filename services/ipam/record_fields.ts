// The fields a host or subnet carries besides its key (ip, cidr), in CSV column order: one list
// for the CSV columns, the import merge and the subnet PATCH, so a new field is added once.

/** A host's fields as CSV carries them (hostname_override is an API/UI field, not in CSV). */
export const HOST_FIELDS = ["hostname", "description", "tags", "notes", "mac"] as const;

/** A subnet's settable fields; a cidr change is handled apart because it moves the subnet. */
export const SUBNET_FIELDS = [
  "name",
  "description",
  "vlan",
  "tags",
  "location",
  "scan_enabled",
  "scan_interval_s",
] as const;
