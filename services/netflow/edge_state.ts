// What an edge collector (scaled out, no database: its batches go to NATS) keeps on its own disk,
// beside its spool: the id its messages carry, the last batch delivered, the sequence numbers it
// reserved, and its templates. The single box keeps the same facts in SQL (flow_repo.ts).
import { join } from "node:path";

interface StateFile {
  /** Prefix of every message id: a new spool directory (state lost) never reuses an old id. */
  id: string;
  /** Every batch up to here reached JetStream (its spool file may go). */
  delivered: number;
  /** Batches are numbered above this after a restart: no number is used for two batches. */
  reserved: number;
}

/** Sequence numbers reserved per write: one small file write per this many batches. */
const RESERVE_BLOCK = 1024;

export class EdgeState {
  #state: StateFile;
  #saving: Promise<void> = Promise.resolve();
  #dirty = false;

  private constructor(readonly dir: string, state: StateFile) {
    this.#state = state;
  }

  /** Reads (or starts) the state in `dir`. */
  static async open(dir: string): Promise<EdgeState> {
    await Deno.mkdir(dir, { recursive: true });
    let state: StateFile | null = null;
    try {
      const j = JSON.parse(await Deno.readTextFile(join(dir, "edge_state.json")));
      if (typeof j?.id === "string" && Number.isSafeInteger(j.delivered)) {
        state = { id: j.id, delivered: j.delivered, reserved: Number(j.reserved) || j.delivered };
      }
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    const s = new EdgeState(dir, state ?? { id: crypto.randomUUID(), delivered: 0, reserved: 0 });
    if (!state) await s.#write();
    return s;
  }

  get id(): string {
    return this.#state.id;
  }
  get delivered(): number {
    return this.#state.delivered;
  }
  get reserved(): number {
    return this.#state.reserved;
  }

  /** Makes sure `seq` is reserved on disk before a message goes out under it. */
  async reserve(seq: number): Promise<void> {
    if (seq <= this.#state.reserved) return;
    const before = this.#state.reserved;
    this.#state.reserved = seq + RESERVE_BLOCK;
    try {
      await this.#write();
    } catch (err) {
      this.#state.reserved = before; // not on disk: not reserved
      throw err;
    }
  }

  /**
   * Notes that batches up to `seq` are delivered; written soon, not at once: a batch delivered
   * again after a crash carries the same message id, and the ingest stores it once.
   */
  markDelivered(seq: number): void {
    if (seq <= this.#state.delivered) return;
    this.#state.delivered = seq;
    this.#dirty = true;
  }

  /** Writes what changed since the last write. */
  async flush(): Promise<void> {
    if (this.#dirty) await this.#write();
  }

  /** The templates saved last, or null. */
  async loadTemplates(): Promise<unknown> {
    try {
      return JSON.parse(await Deno.readTextFile(join(this.dir, "templates.json")));
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return null;
      throw err;
    }
  }

  async saveTemplates(snapshot: unknown): Promise<void> {
    await atomicWrite(join(this.dir, "templates.json"), JSON.stringify(snapshot));
  }

  #write(): Promise<void> {
    this.#dirty = false;
    const text = JSON.stringify(this.#state);
    // One write at a time, in order: the last one leaves the newest state.
    this.#saving = this.#saving.catch(() => {}).then(() =>
      atomicWrite(join(this.dir, "edge_state.json"), text)
    );
    return this.#saving;
  }
}

/** Writes a file whole or not at all (a crash mid-write leaves the old one). */
async function atomicWrite(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`;
  await Deno.writeTextFile(tmp, text);
  await Deno.rename(tmp, path);
}
