// A host's open ports as chips (`22/ssh`) with product/version on hover, and when they were scanned.
import type { PortRow, PortScan } from "@/services/portscans/mod.ts";
import { portLabel, portProduct, timeAgo } from "../shared/host_detail_format.ts";

export interface HostPortsProps {
  ports: PortRow[];
  lastScan: PortScan | null;
  now: number;
}

export function HostPorts(p: HostPortsProps) {
  const open = p.ports.filter((x) => x.state === "open");
  const others = p.ports.length - open.length;
  const scan = p.lastScan;
  return (
    <div class="hd-ports">
      {open.length > 0
        ? (
          <ul class="hd-chips" data-testid="port-chips">
            {open.map((x) => {
              const product = portProduct(x);
              return (
                <li
                  key={`${x.proto}/${x.port}`}
                  class="chip port-chip"
                  title={product || "no version information"}
                  data-port={x.port}
                  data-proto={x.proto}
                >
                  {portLabel(x)}
                  {product && <span class="sr-only">, {product}</span>}
                </li>
              );
            })}
          </ul>
        )
        : (
          <p class="muted" data-testid="no-ports">
            {scan ? "No open ports found." : "Not port-scanned yet."}
          </p>
        )}
      {scan && (
        <p class="hd-note muted">
          {scan.status === "succeeded" ? "Scanned" : `Last scan ${scan.status}`}{" "}
          <time dateTime={scan.finished_at} title={scan.finished_at}>
            {timeAgo(scan.finished_at, p.now)}
          </time>
          {others > 0 && ` · ${others} closed or filtered not shown`}
          {scan.error && <span class="field-error">: {scan.error}</span>}
        </p>
      )}
    </div>
  );
}
