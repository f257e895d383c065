// CSV export streamed in keyset pages, so a large inventory never sits in memory as one string.
import { stringify } from "csv-stringify/sync";
import type { Queryable } from "@/services/store/mod.ts";
import { hostToCsvRecord, subnetToCsvRecord } from "./csv_export.ts";
import { HOST_CSV_COLUMNS, SUBNET_CSV_COLUMNS } from "./csv_columns.ts";
import { type HostFilter, listHosts } from "./host_repo.ts";
import { listSubnets, type SubnetFilter } from "./subnet_repo.ts";

const PAGE = 1000;
const encoder = new TextEncoder();

/** Same dialect as csv_export.ts: CRLF records, any CR/LF inside a cell quoted. */
function lines(records: string[][]): Uint8Array {
  return encoder.encode(
    stringify(records, { record_delimiter: "windows", quoted_match: /[\r\n]/ }),
  );
}

function pagedCsv<T>(
  header: readonly string[],
  fetchPage: (after: T | undefined) => Promise<T[]>,
  toRecord: (row: T) => string[],
  opts: { bom?: boolean },
): ReadableStream<Uint8Array> {
  let after: T | undefined;
  let started = false;
  let done = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        if (opts.bom) controller.enqueue(encoder.encode("\uFEFF"));
        controller.enqueue(lines([[...header]]));
        return;
      }
      if (done) return controller.close();
      const rows = await fetchPage(after);
      if (rows.length < PAGE) done = true;
      if (rows.length) {
        after = rows[rows.length - 1];
        controller.enqueue(lines(rows.map(toRecord)));
      }
      if (done) controller.close();
    },
  });
}

/** Hosts CSV (the importer's own columns), filtered like GET /api/v1/hosts. */
export function hostsCsvStream(
  q: Queryable,
  filter: Omit<HostFilter, "after" | "limit"> = {},
  opts: { bom?: boolean } = {},
): ReadableStream<Uint8Array> {
  return pagedCsv(
    HOST_CSV_COLUMNS,
    (after) => listHosts(q, { ...filter, after: after?.ip, limit: PAGE }),
    hostToCsvRecord,
    opts,
  );
}

/** Subnets CSV, filtered like GET /api/v1/subnets. */
export function subnetsCsvStream(
  q: Queryable,
  filter: Omit<SubnetFilter, "after" | "limit"> = {},
  opts: { bom?: boolean } = {},
): ReadableStream<Uint8Array> {
  return pagedCsv(
    SUBNET_CSV_COLUMNS,
    (after) => listSubnets(q, { ...filter, after: after?.cidr, limit: PAGE }),
    subnetToCsvRecord,
    opts,
  );
}
