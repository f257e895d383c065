// Holds data sets whose template has not arrived yet, bounded by age, count and bytes (in total
// and per exporter), so they can be decoded when it does instead of being dropped.

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
  /** Most sets one exporter may have waiting; more are refused so it cannot push others out. */
  maxSetsPerExporter?: number;
}

export class PendingSets {
  // Arrival-ordered queue; entries before `head` are consumed (compacted lazily so dropping
  // the oldest stays O(1) even when a hostile packet carries thousands of unknown sets).
  private entries: PendingSet[] = [];
  private head = 0;
  private bytes = 0;
  // How many entries wait per domain + template, so templates nobody waits for cost no scan.
  private readonly waiting = new Map<string, number>();
  private readonly perExporter = new Map<string, number>();

  constructor(private readonly limits: PendingLimits) {}

  get size(): number {
    return this.entries.length - this.head;
  }

  /**
   * Buffers `entry`, dropping the oldest entries (via `drop`) to stay within the limits. Returns
   * false, keeping nothing, when the entry's exporter already has its most sets waiting.
   */
  add(entry: PendingSet, drop: (dropped: PendingSet) => void): boolean {
    const mine = this.perExporter.get(entry.exporter) ?? 0;
    if (mine >= (this.limits.maxSetsPerExporter ?? Infinity)) return false;
    if (entry.body.length > this.limits.maxBytes || this.limits.maxSets <= 0) {
      drop(entry);
      return true;
    }
    this.entries.push(entry);
    this.perExporter.set(entry.exporter, mine + 1);
    this.bytes += entry.body.length;
    const key = waitKey(entry.domainKey, entry.templateId);
    this.waiting.set(key, (this.waiting.get(key) ?? 0) + 1);
    while (this.size > this.limits.maxSets || this.bytes > this.limits.maxBytes) {
      drop(this.shift());
    }
    this.compact();
    return true;
  }

  /** Drops entries older than the time to live. Entries are kept in arrival order. */
  expire(nowMs: number, drop: (dropped: PendingSet) => void): void {
    while (this.size > 0 && nowMs - this.entries[this.head].arrivedMs > this.limits.ttlMs) {
      drop(this.shift());
    }
    this.compact();
  }

  /** Removes and returns, oldest first, the sets waiting for this template. */
  take(domainKey: string, templateId: number): PendingSet[] {
    const key = waitKey(domainKey, templateId);
    if (!this.waiting.has(key)) return [];
    this.waiting.delete(key);
    const taken: PendingSet[] = [];
    const kept: PendingSet[] = [];
    for (let i = this.head; i < this.entries.length; i++) {
      const e = this.entries[i];
      if (e.templateId === templateId && e.domainKey === domainKey) {
        taken.push(e);
        this.bytes -= e.body.length;
        this.release(e.exporter);
      } else {
        kept.push(e);
      }
    }
    this.entries = kept;
    this.head = 0;
    return taken;
  }

  private shift(): PendingSet {
    const oldest = this.entries[this.head++];
    this.bytes -= oldest.body.length;
    this.release(oldest.exporter);
    const key = waitKey(oldest.domainKey, oldest.templateId);
    const n = (this.waiting.get(key) ?? 1) - 1;
    if (n > 0) this.waiting.set(key, n);
    else this.waiting.delete(key);
    return oldest;
  }

  private release(exporter: string): void {
    const n = (this.perExporter.get(exporter) ?? 1) - 1;
    if (n > 0) this.perExporter.set(exporter, n);
    else this.perExporter.delete(exporter);
  }

  private compact(): void {
    if (this.head > 64 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}

function waitKey(domainKey: string, templateId: number): string {
  return domainKey + "#" + templateId;
}
