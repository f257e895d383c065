// Island: a host's management actions: edit its MAC, move it to another subnet (a new address
// there; the subnet follows the address), and delete it after a confirmation. Saves through
// PATCH/DELETE /api/v1/hosts/{id} and says what happened in the UI's words.
import { useState } from "preact/hooks";
import { actionErrorText, type ApiErrorBody } from "../shared/action_text.ts";
import { postJson } from "../shared/task_follow.ts";

export interface HostManageProps extends Record<string, unknown> {
  hostId: number;
  ip: string;
  mac: string | null;
  subnetId: number | null;
  /** Full page: reload after a change (and go to the dashboard after a delete). */
  reloadOnSave?: boolean;
  /** Drawer: called with the saved host. Not an island prop. */
  onSaved?: (host: Record<string, unknown>) => void;
  /** Drawer: called after the delete. Not an island prop. */
  onDeleted?: (id: number) => void;
}

interface SubnetHit {
  id: number;
  cidr: string;
  name: string | null;
}

type Status = { kind: "idle" } | { kind: "busy" } | { kind: "ok"; message: string } | {
  kind: "error";
  message: string;
};

/** The API's 422/409 message for a field, in the form's words. */
function fieldError(status: number, body: unknown, field: "mac" | "ip"): string {
  const err = (body as ApiErrorBody)?.error;
  const issues = (err?.details?.issues ?? []) as Array<{ path?: string; message?: string }>;
  const hit = Array.isArray(issues) ? issues.find((i) => String(i.path ?? "") === field) : null;
  if (hit?.message) return hit.message.replace(/^mac:?\s*/i, "");
  if (status === 409 && field === "ip") return "Another host already has this address.";
  if (err?.code === "no_subnet") {
    return "No subnet holds this address; pick an address inside a subnet.";
  }
  return actionErrorText(status, body as ApiErrorBody, "change");
}

export default function HostManage(p: HostManageProps) {
  const [mac, setMac] = useState(p.mac ?? "");
  const [macStatus, setMacStatus] = useState<Status>({ kind: "idle" });
  const [query, setQuery] = useState("");
  const [hits, setHits] = useState<SubnetHit[] | null>(null);
  const [target, setTarget] = useState<SubnetHit | null>(null);
  const [newIp, setNewIp] = useState("");
  const [moveStatus, setMoveStatus] = useState<Status>({ kind: "idle" });
  const [confirm, setConfirm] = useState(false);
  const [delStatus, setDelStatus] = useState<Status>({ kind: "idle" });
  const id = (part: string) => `host-${p.hostId}-${part}`;

  const saved = (host: Record<string, unknown>) => {
    p.onSaved?.(host);
    if (p.reloadOnSave) location.reload();
  };

  const saveMac = async (e: Event) => {
    e.preventDefault();
    setMacStatus({ kind: "busy" });
    const { res, body } = await postJson(
      `/api/v1/hosts/${p.hostId}`,
      { mac: mac.trim() === "" ? null : mac.trim() },
      "PATCH",
    );
    if (!res.ok) {
      return setMacStatus({ kind: "error", message: fieldError(res.status, body, "mac") });
    }
    const host = body as Record<string, unknown>;
    setMac(String(host.mac ?? ""));
    setMacStatus({ kind: "ok", message: host.mac ? `MAC saved: ${host.mac}.` : "MAC cleared." });
    saved(host);
  };

  const search = async (e: Event) => {
    e.preventDefault();
    const q = new URLSearchParams({ limit: "10" });
    if (query.trim()) q.set("q", query.trim());
    const res = await fetch(`/api/v1/subnets?${q}`, { headers: { accept: "application/json" } })
      .catch(() => null);
    if (!res?.ok) {
      return setMoveStatus({ kind: "error", message: "Could not list subnets; try again." });
    }
    const items = ((await res.json()).items ?? []) as SubnetHit[];
    setHits(items.filter((s) => s.id !== p.subnetId));
  };

  const pick = async (s: SubnetHit) => {
    setTarget(s);
    setMoveStatus({ kind: "idle" });
    const res = await fetch(`/api/v1/subnets/${s.id}/next-free`, {
      headers: { accept: "application/json" },
    }).catch(() => null);
    if (res?.ok) setNewIp(String((await res.json()).ip));
    else {
      setNewIp("");
      setMoveStatus({
        kind: "error",
        message: res?.status === 409 ? `${s.cidr} has no free address.` : "Type the new address.",
      });
    }
  };

  const move = async (e: Event) => {
    e.preventDefault();
    setMoveStatus({ kind: "busy" });
    const { res, body } = await postJson(
      `/api/v1/hosts/${p.hostId}`,
      { ip: newIp.trim() },
      "PATCH",
    );
    if (!res.ok) {
      return setMoveStatus({ kind: "error", message: fieldError(res.status, body, "ip") });
    }
    const host = body as Record<string, unknown>;
    setMoveStatus({ kind: "ok", message: `Moved to ${host.ip}.` });
    setHits(null);
    saved(host);
  };

  const remove = async () => {
    setDelStatus({ kind: "busy" });
    const res = await fetch(`/api/v1/hosts/${p.hostId}`, {
      method: "DELETE",
      headers: {
        accept: "application/json",
        "x-csrf-token":
          document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "",
      },
    });
    if (res.status !== 204) {
      const body = await res.json().catch(() => null);
      return setDelStatus({ kind: "error", message: actionErrorText(res.status, body, "delete") });
    }
    setDelStatus({ kind: "ok", message: `${p.ip} deleted.` });
    p.onDeleted?.(p.hostId);
    if (p.reloadOnSave) location.assign(`/?deleted=${encodeURIComponent(p.ip)}`);
  };

  const statusLine = (s: Status, testid: string) => (
    <span role="status" class="hd-status" data-testid={testid} data-state={s.kind}>
      {s.kind === "ok" ? s.message : ""}
      {s.kind === "error" ? <span class="field-error">{s.message}</span> : ""}
    </span>
  );

  return (
    <div class="flex flex-col gap-3" data-testid="host-manage">
      <form class="hd-form" onSubmit={saveMac} data-testid="mac-form">
        <div class="hd-field">
          <label for={id("mac")}>MAC address</label>
          <input
            id={id("mac")}
            class="input mono"
            autocomplete="off"
            value={mac}
            placeholder="00:11:22:33:44:55"
            onInput={(e) => setMac((e.currentTarget as HTMLInputElement).value)}
          />
        </div>
        <div class="hd-actions">
          <button
            type="submit"
            class="btn btn-quiet btn-small"
            disabled={macStatus.kind === "busy"}
          >
            Save MAC
          </button>
          {statusLine(macStatus, "mac-status")}
        </div>
      </form>

      <div data-testid="move-host">
        <form class="hd-form" onSubmit={search}>
          <div class="hd-field">
            <label for={id("move-q")}>Move to another subnet</label>
            <input
              id={id("move-q")}
              class="input"
              type="search"
              autocomplete="off"
              placeholder="subnet name or address"
              value={query}
              onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)}
            />
          </div>
          <div class="hd-actions">
            <button type="submit" class="btn btn-quiet btn-small" data-testid="move-search">
              Find subnets
            </button>
          </div>
        </form>
        {hits !== null && (
          hits.length === 0
            ? <p class="muted text-sm">No other subnet matches.</p>
            : (
              <ul class="flex flex-wrap gap-2 mt-2" aria-label="Subnets to move to">
                {hits.map((s) => (
                  <li key={s.id}>
                    <button
                      type="button"
                      class={`btn btn-small ${target?.id === s.id ? "" : "btn-quiet"}`}
                      aria-pressed={target?.id === s.id ? "true" : "false"}
                      data-subnet-id={s.id}
                      onClick={() => pick(s)}
                    >
                      <span class="mono">{s.cidr}</span>
                      {s.name ? ` ${s.name}` : ""}
                    </button>
                  </li>
                ))}
              </ul>
            )
        )}
        {target && (
          <form class="hd-form mt-2" onSubmit={move}>
            <div class="hd-field">
              <label for={id("move-ip")}>New address in {target.cidr}</label>
              <input
                id={id("move-ip")}
                class="input mono"
                autocomplete="off"
                value={newIp}
                onInput={(e) => setNewIp((e.currentTarget as HTMLInputElement).value)}
              />
              <span class="hd-hint">
                The first free address is filled in; the subnet follows it.
              </span>
            </div>
            <div class="hd-actions">
              <button
                type="submit"
                class="btn btn-small"
                data-testid="move-submit"
                disabled={moveStatus.kind === "busy" || newIp.trim() === ""}
              >
                Move host
              </button>
            </div>
          </form>
        )}
        {statusLine(moveStatus, "move-status")}
      </div>

      <div class="hd-actions" data-testid="delete-host">
        {!confirm
          ? (
            <button
              type="button"
              class="btn btn-quiet btn-small"
              data-testid="delete-host-start"
              onClick={() => setConfirm(true)}
            >
              Delete host
            </button>
          )
          : (
            <>
              <span role="alert" class="text-sm">
                Delete {p.ip} and its history? This cannot be undone.
              </span>
              <button
                type="button"
                class="btn btn-danger btn-small"
                data-testid="delete-host-confirm"
                disabled={delStatus.kind === "busy"}
                onClick={remove}
              >
                Delete
              </button>
              <button
                type="button"
                class="btn btn-quiet btn-small"
                onClick={() => setConfirm(false)}
              >
                Cancel
              </button>
            </>
          )}
        {statusLine(delStatus, "delete-status")}
      </div>
    </div>
  );
}
