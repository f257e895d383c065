// Island: the dashboard's status board (down now, per-subnet counts, latest changes, subnets with
// utilization), kept true by the live stream: each `pf:hosts` batch from LiveStatus, or a host
// changed in the drawer (`pf:host-changed`), re-reads the board from `/?format=json` (coalesced),
// so a host that goes down enters "Down now" and every count moves with it.
import { useEffect, useState } from "preact/hooks";
import { type DashboardBoardView, StatusBoard } from "../components/StatusBoard.tsx";

export interface DashboardBoardProps extends Record<string, unknown> {
  view: DashboardBoardView;
}

/** Events arriving within this window cause one re-read. */
const COALESCE_MS = 1000;

export default function DashboardBoard(p: DashboardBoardProps) {
  const [view, setView] = useState(p.view);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let ctl: AbortController | null = null;
    const reload = async () => {
      timer = null;
      ctl?.abort();
      ctl = new AbortController();
      const q = new URLSearchParams(location.search);
      q.set("format", "json");
      try {
        const res = await fetch(`/?${q}`, {
          headers: { accept: "application/json" },
          signal: ctl.signal,
        });
        if (res.ok && (res.headers.get("content-type") ?? "").includes("json")) {
          setView(await res.json() as DashboardBoardView);
          document.documentElement.dataset.boardAt = String(Date.now());
        }
      } catch { /* aborted or offline: the next event tries again */ }
    };
    const schedule = () => {
      if (timer === null) timer = setTimeout(reload, COALESCE_MS);
    };
    document.addEventListener("pf:hosts", schedule);
    document.addEventListener("pf:host-changed", schedule);
    return () => {
      document.removeEventListener("pf:hosts", schedule);
      document.removeEventListener("pf:host-changed", schedule);
      if (timer !== null) clearTimeout(timer);
      ctl?.abort();
    };
  }, []);
  return <StatusBoard v={view} />;
}
