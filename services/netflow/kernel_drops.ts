// The collector socket's kernel drop count (/proc/net/udp{,6}), kept across receive-worker
// restarts: each new socket starts from zero, so the drops of retired sockets are carried over.
import { udpDrops } from "./proc_net_udp.ts";

/** How long one reading of /proc is reused (status is asked for on every /health). */
const CACHE_MS = 1000;

export class KernelDrops {
  private inode: string | null = null;
  private retired = 0;
  private last = 0;
  private readAt = -Infinity;

  constructor(private readonly read_ = udpDrops, private readonly now = () => performance.now()) {}

  /** Follows the socket with this inode from now on (null: not found, drops stay unknown). */
  watch(inode: string | null): void {
    this.inode = inode;
    this.last = 0;
    this.readAt = -Infinity;
  }

  /** The watched socket is gone: its last count is kept. */
  retire(): void {
    this.refresh(true);
    this.retired += this.last;
    this.last = 0;
    this.inode = null;
  }

  /** Drops of every socket this collector had, as of at most a second ago. */
  read(): number {
    this.refresh(false);
    return this.retired + this.last;
  }

  private refresh(force: boolean): void {
    if (this.inode === null) return;
    const t = this.now();
    if (!force && t - this.readAt < CACHE_MS) return;
    this.readAt = t;
    const n = this.read_(this.inode);
    if (n !== null) this.last = n;
  }
}
