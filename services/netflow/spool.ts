// The collector's bounded on-disk spool: receive batches the decoder and database cannot take yet
// are written here, one file per batch named by its sequence, and handed back oldest first (as
// nfcapd writes files instead of dropping). A file is deleted only once the database says every
// record of its batch is stored (netflow_spool_state.stored_seq, written in the same transaction),
// so a process killed mid-drain replays what was not stored and deletes what was: nothing is
// lost or stored twice.
import { join } from "node:path";

export interface SpoolEntry {
  seq: number;
  datagrams: number;
  bytes: number;
}

export interface SpoolStats {
  /** Files waiting (not yet handed to the decoder) and handed out but not yet stored. */
  files: number;
  bytes: number;
  datagrams: number;
  maxBytes: number;
  /** Batches written to the spool since start. */
  spooled: number;
  /** Datagrams and bytes refused because the spool was full. */
  refusedDatagrams: number;
  refusedBytes: number;
}

const NAME = /^(\d{16})-(\d+)\.batch$/;

function fileName(e: SpoolEntry): string {
  return `${String(e.seq).padStart(16, "0")}-${e.datagrams}.batch`;
}

export class DiskSpool {
  readonly #dir: string;
  readonly #maxBytes: number;
  /** Waiting to be handed out, oldest first. */
  readonly #waiting: SpoolEntry[] = [];
  /** Handed out, waiting for the database to store them. */
  readonly #handed: SpoolEntry[] = [];
  readonly #writes = new Map<number, Promise<void>>();
  #bytes = 0;
  #datagrams = 0;
  #spooled = 0;
  #refusedDatagrams = 0;
  #refusedBytes = 0;

  private constructor(dir: string, maxBytes: number) {
    this.#dir = dir;
    this.#maxBytes = maxBytes;
  }

  /**
   * Opens (creating) the spool directory: deletes half-written files and the batches stored up to
   * `storedSeq`; batches up to `inHandUpTo` are already on their way to the database (kept until
   * stored, not handed out again); the rest wait, oldest first.
   */
  static async open(
    dir: string,
    maxBytes: number,
    storedSeq: number,
    inHandUpTo: number,
  ): Promise<DiskSpool> {
    await Deno.mkdir(dir, { recursive: true });
    const spool = new DiskSpool(dir, maxBytes);
    const found: SpoolEntry[] = [];
    for await (const f of Deno.readDir(dir)) {
      const m = NAME.exec(f.name);
      const path = join(dir, f.name);
      if (!f.isFile) continue;
      if (f.name.endsWith(".tmp")) {
        await Deno.remove(path).catch(() => {});
        continue;
      }
      if (!m) continue;
      const seq = Number(m[1]);
      if (seq <= storedSeq) {
        await Deno.remove(path).catch(() => {});
        continue;
      }
      const bytes = (await Deno.stat(path)).size;
      found.push({ seq, datagrams: Number(m[2]), bytes });
    }
    found.sort((a, b) => a.seq - b.seq);
    for (const e of found) {
      (e.seq <= inHandUpTo ? spool.#handed : spool.#waiting).push(e);
      spool.#bytes += e.bytes;
      spool.#datagrams += e.datagrams;
    }
    return spool;
  }

  /** Highest sequence on disk (0: none). */
  get lastSeq(): number {
    const all = [...this.#handed, ...this.#waiting];
    return all.reduce((m, e) => Math.max(m, e.seq), 0);
  }

  /** Batches waiting to be handed out. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Room for `bytes` more. */
  fits(bytes: number): boolean {
    return this.#bytes + bytes <= this.#maxBytes;
  }

  /** Counts a batch refused because the spool is full. */
  refuse(datagrams: number, bytes: number): void {
    this.#refusedDatagrams += datagrams;
    this.#refusedBytes += bytes;
  }

  /** Writes a batch (to a temporary name first: a crash never leaves half a batch to replay). */
  append(seq: number, datagrams: number, buffer: ArrayBuffer): void {
    const e: SpoolEntry = { seq, datagrams, bytes: buffer.byteLength };
    this.#waiting.push(e);
    this.#bytes += e.bytes;
    this.#datagrams += datagrams;
    this.#spooled++;
    const path = join(this.#dir, fileName(e));
    const write = Deno.writeFile(path + ".tmp", new Uint8Array(buffer))
      .then(() => Deno.rename(path + ".tmp", path))
      .finally(() => {
        this.#writes.delete(seq);
        // On disk now: free the batch's memory at once rather than at this thread's next GC.
        buffer.transfer(0);
      });
    this.#writes.set(seq, write);
  }

  /** The oldest waiting batch, read back (null when none); it stays on disk until released. */
  async next(): Promise<{ seq: number; datagrams: number; buffer: ArrayBuffer } | null> {
    const e = this.#waiting.shift();
    if (e === undefined) return null;
    this.#handed.push(e);
    await this.#writes.get(e.seq);
    const data = await Deno.readFile(join(this.#dir, fileName(e)));
    return { seq: e.seq, datagrams: e.datagrams, buffer: data.buffer as ArrayBuffer };
  }

  /** Deletes the handed-out batches up to `seq`: the database has stored them. */
  async release(seq: number): Promise<void> {
    while (this.#handed.length > 0 && this.#handed[0].seq <= seq) {
      const e = this.#handed.shift()!;
      this.#bytes -= e.bytes;
      this.#datagrams -= e.datagrams;
      await this.#writes.get(e.seq);
      await Deno.remove(join(this.#dir, fileName(e))).catch(() => {});
    }
  }

  /** Resolves once every write started so far is on disk. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#writes.values()]);
  }

  stats(): SpoolStats {
    return {
      files: this.#waiting.length + this.#handed.length,
      bytes: this.#bytes,
      datagrams: this.#datagrams,
      maxBytes: this.#maxBytes,
      spooled: this.#spooled,
      refusedDatagrams: this.#refusedDatagrams,
      refusedBytes: this.#refusedBytes,
    };
  }
}
