// Stores what one scan saw of one host, in one transaction: run record, new current ports, the old
// ones it covered retired, and port change events.
import type { Db } from "@/services/store/mod.ts";
import { covers, type PortCoverage } from "./nmap_coverage.ts";
import { diffPorts, type PortChange, type PortObservation } from "./port_diff.ts";
import {
  currentPorts,
  hasBaseline,
  insertPortEvents,
  insertPorts,
  insertPortScan,
  type NewPortScan,
  type PortScan,
  retirePorts,
} from "./port_repo.ts";

export interface SnapshotInput {
  hostId: number;
  target: string;
  ports: PortObservation[];
  /** What the scan looked at; null = unknown, read as "everything". */
  coverage: PortCoverage | null;
  scan: Omit<NewPortScan, "hostId" | "target" | "status" | "error" | "openPorts" | "changes">;
}

export interface SnapshotResult {
  scan: PortScan;
  changes: PortChange[];
  /** No earlier successful scan: this one is the baseline and reports no changes. */
  baseline: boolean;
}

/**
 * Returns null when the host was deleted meanwhile (nothing is stored). The host row is locked
 * for the transaction, so two writers of one host (should leases ever fail) apply one after the
 * other and each diffs against the other's result.
 */
export async function storeHostSnapshot(
  db: Db,
  input: SnapshotInput,
): Promise<SnapshotResult | null> {
  return await db.tx(async (tx) => {
    const locked = await tx.query(`select id from host where id = $1 for update`, [input.hostId]);
    if (locked.length === 0) return null;
    const baseline = !(await hasBaseline(tx, input.hostId));
    const prev = baseline ? null : await currentPorts(tx, input.hostId);
    const diff = diffPorts(prev, input.ports, (proto, port) => covers(input.coverage, proto, port));
    const open = input.ports.filter((p) => p.state === "open").length;
    const scan = await insertPortScan(tx, {
      ...input.scan,
      hostId: input.hostId,
      target: input.target,
      status: "succeeded",
      error: null,
      openPorts: open,
      changes: diff.changes.length,
    });
    await retirePorts(tx, input.hostId, diff.retire);
    await insertPorts(tx, input.hostId, scan.id, input.ports);
    await insertPortEvents(
      tx,
      new Date(scan.finished_at),
      diff.changes.map((c) => ({
        hostId: input.hostId,
        kind: c.kind,
        detail: { ...c.detail, scan_id: scan.id },
      })),
    );
    return { scan, changes: diff.changes, baseline };
  });
}
