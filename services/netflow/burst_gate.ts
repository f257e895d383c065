// While a burst floods the socket, the receive thread hands nothing new to the decoder: batches go
// to the spool and are decoded and stored once the burst is over (as nfcapd only writes files). On
// a 2-core machine the decoder, the inserts and the database otherwise take the cores the receive
// thread needs, and the kernel drops what its socket buffer cannot hold. A burst is receive
// batches filling faster than `burstBytesPerMs` (default 20,000: 20 MB/s, about 450,000 NetFlow v9
// records/s); it is over after `quietMs` without one. A flood that lasts longer than `maxHoldMs`
// is drained while it lasts (the spool is bounded).

export interface BurstGateOptions {
  /** A batch that filled at more than this many bytes per ms is part of a burst. */
  burstBytesPerMs: number;
  /** The burst is over this long after its last fast batch. */
  quietMs: number;
  /** Longest hold of one burst. */
  maxHoldMs: number;
}

export class BurstGate {
  readonly #opts: BurstGateOptions;
  #burstSince: number | null = null;
  #lastFast = 0;
  #off = false;

  constructor(opts: BurstGateOptions) {
    this.#opts = opts;
  }

  /** A batch of `bytes` was sealed full at `now` after filling for `fillMs`. */
  filled(now: number, fillMs: number, bytes: number): void {
    if (bytes < this.#opts.burstBytesPerMs * fillMs) return;
    if (this.#burstSince === null || now - this.#lastFast >= this.#opts.quietMs) {
      this.#burstSince = now;
    }
    this.#lastFast = now;
  }

  /** Never holds again (the collector is stopping: what is open goes on as usual). */
  off(): void {
    this.#off = true;
  }

  /** True while batches should wait in the spool instead of going to the decoder. */
  holding(now: number): boolean {
    if (this.#burstSince === null || this.#off) return false;
    if (now - this.#lastFast >= this.#opts.quietMs) {
      this.#burstSince = null;
      return false;
    }
    return now - this.#burstSince < this.#opts.maxHoldMs;
  }
}
