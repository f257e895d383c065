// Received datagrams packed back to back into one ArrayBuffer: what the receive thread hands to
// the decoder (transferred, not copied) and what the spool writes to disk as one file. Layout of
// each entry: u32 payload length, f64 receive time (Unix ms), u8 exporter length, the exporter's
// address text (ASCII), the payload.

const HEADER = 4 + 8 + 1;

/** Fills one batch buffer; `take()` hands the filled part on and starts a new buffer. */
export class RawBatchWriter {
  #buf: Uint8Array;
  #view: DataView;
  #used = 0;
  #datagrams = 0;
  readonly #names = new Map<string, Uint8Array>();

  constructor(readonly capacity: number) {
    this.#buf = new Uint8Array(capacity);
    this.#view = new DataView(this.#buf.buffer);
  }

  get datagrams(): number {
    return this.#datagrams;
  }

  get bytes(): number {
    return this.#used;
  }

  /** Bytes one datagram takes in a batch. */
  static entryBytes(payload: number, exporter: string): number {
    return HEADER + exporter.length + payload;
  }

  /** Appends a datagram; false when it does not fit (take() first). */
  push(data: Uint8Array, exporter: string, receivedMs: number): boolean {
    let name = this.#names.get(exporter);
    if (name === undefined) {
      name = new TextEncoder().encode(exporter.slice(0, 255));
      if (this.#names.size < 4096) this.#names.set(exporter, name);
    }
    const need = HEADER + name.length + data.length;
    if (this.#used + need > this.capacity) return false;
    const at = this.#used;
    this.#view.setUint32(at, data.length);
    this.#view.setFloat64(at + 4, receivedMs);
    this.#buf[at + 12] = name.length;
    this.#buf.set(name, at + HEADER);
    this.#buf.set(data, at + HEADER + name.length);
    this.#used += need;
    this.#datagrams++;
    return true;
  }

  /** Drops what was filled (a refused batch) without copying it anywhere. */
  discard(): void {
    this.#used = 0;
    this.#datagrams = 0;
  }

  /** The filled part as a buffer of its own (safe to transfer); the writer starts over. */
  take(): ArrayBuffer {
    const out = this.#buf.slice(0, this.#used).buffer;
    this.#used = 0;
    this.#datagrams = 0;
    return out;
  }
}

/**
 * Calls `fn` for each datagram of a batch, in the order received. `data` is a view into the
 * batch. A truncated entry (a damaged spool file) ends the walk; returns the datagrams read.
 */
export function readRawBatch(
  buffer: ArrayBuffer,
  fn: (data: Uint8Array, exporter: string, receivedMs: number) => void,
): number {
  const bytes = new Uint8Array(buffer);
  const view = new DataView(buffer);
  const text = new TextDecoder();
  let exporter = "";
  let at = 0;
  let n = 0;
  while (at + HEADER <= bytes.length) {
    const len = view.getUint32(at);
    const ms = view.getFloat64(at + 4);
    const nameLen = bytes[at + 12];
    const start = at + HEADER + nameLen;
    if (start + len > bytes.length) break;
    // Exporters are few and come in runs: decode a name only when it differs from the last one.
    const raw = bytes.subarray(at + HEADER, start);
    if (exporter.length !== nameLen || !sameAscii(exporter, raw)) exporter = text.decode(raw);
    fn(bytes.subarray(start, start + len), exporter, ms);
    n++;
    at = start + len;
  }
  return n;
}

function sameAscii(s: string, b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (s.charCodeAt(i) !== b[i]) return false;
  return true;
}
