// Holds data sets whose template has not arrived yet, bounded by age, count and bytes, so
// they can be decoded when it does instead of being dropped.

export interface PendingSet {
  /** Template cache domain key (exporter, version, source id). */
  domainKey: string;
  exporter: string;
  version: 9 | 10;
  sourceId: number;
  templateId: number;
  /** Copy of the set body (records and padding, no set header). */
  body: Uint8Array;
  arrivedMs: number;
  /** Header time of the carrying packet: v9 unix secs, IPFIX export time, in ms. */
  headerMs: number;
  /** v9 sysUptime of the carrying packet (ms); unused for IPFIX. */
  sysUptime: number;
}

export interface PendingLimits {
  ttlMs: number;
  maxSets: number;
  maxBytes: number;
}

export class PendingSets {
  private entries: PendingSet[] = [];
  private bytes = 0;

  constructor(private readonly limits: PendingLimits) {}

  get size(): number {
    return this.entries.length;
  }

  /** Buffers `entry`, dropping the oldest entries (via `drop`) to stay within the limits. */
  add(entry: PendingSet, drop: (dropped: PendingSet) => void): void {
    if (entry.body.length > this.limits.maxBytes || this.limits.maxSets <= 0) {
      drop(entry);
      return;
    }
    this.entries.push(entry);
    this.bytes += entry.body.length;
    while (this.entries.length > this.limits.maxSets || this.bytes > this.limits.maxBytes) {
      const oldest = this.entries.shift()!;
      this.bytes -= oldest.body.length;
      drop(oldest);
    }
  }

  /** Drops entries older than the time to live. Entries are kept in arrival order. */
  expire(nowMs: number, drop: (dropped: PendingSet) => void): void {
    let n = 0;
    while (n < this.entries.length && nowMs - this.entries[n].arrivedMs > this.limits.ttlMs) {
      this.bytes -= this.entries[n].body.length;
      drop(this.entries[n]);
      n++;
    }
    if (n > 0) this.entries.splice(0, n);
  }

  /** Removes and returns, oldest first, the sets waiting for this template. */
  take(domainKey: string, templateId: number): PendingSet[] {
    if (this.entries.length === 0) return [];
    const taken: PendingSet[] = [];
    const kept: PendingSet[] = [];
    for (const e of this.entries) {
      if (e.templateId === templateId && e.domainKey === domainKey) {
        taken.push(e);
        this.bytes -= e.body.length;
      } else {
        kept.push(e);
      }
    }
    if (taken.length > 0) this.entries = kept;
    return taken;
  }
}
