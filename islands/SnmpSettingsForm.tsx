// Island: a host's own SNMP settings (v2c community or v3 user/auth/privacy) and "Read now".
// Secrets are write-only: the form shows whether one is stored, never its value; a blank secret
// field keeps the stored one. Saves through PUT /api/v1/hosts/{id}/snmp, reads through …/poll.
import { uiErrorOf } from "../shared/ui_words.ts";
import { useEffect, useState } from "preact/hooks";

/** The parts of the API's SnmpSettings the form shows (no secrets exist in it). */
export interface SnmpSettingsSummary {
  enabled: boolean;
  version: "v2c" | "v3";
  port: number;
  v3_user: string | null;
  auth_protocol: string | null;
  priv_protocol: string | null;
  has_community: boolean;
  has_auth_key: boolean;
  has_priv_key: boolean;
}

export interface SnmpSettingsFormProps extends Record<string, unknown> {
  hostId: number;
  /** The host's own settings, or null. */
  settings: SnmpSettingsSummary | null;
  /** Where a poll's settings come from now: the host, its subnet, or nowhere. */
  effectiveFrom: "host" | "subnet" | null;
  /** Full page: reload after a save or a read so the name sources show it. */
  reloadOnDone?: boolean;
  /** Drawer: refresh after a save or a read. Not an island prop. */
  onDone?: () => void;
}

const AUTH = ["", "md5", "sha", "sha224", "sha256", "sha384", "sha512"];
const PRIV = ["", "aes", "aes256b", "aes256r"];

type Status = { kind: "idle" | "busy" } | { kind: "ok" | "error"; message: string };

function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";
}

export default function SnmpSettingsForm(p: SnmpSettingsFormProps) {
  const s = p.settings;
  const [v, setV] = useState({
    enabled: s?.enabled ?? true,
    version: s?.version ?? "v2c",
    port: String(s?.port ?? 161),
    community: "",
    v3_user: s?.v3_user ?? "",
    auth_protocol: s?.auth_protocol ?? "sha",
    auth_key: "",
    priv_protocol: s?.priv_protocol ?? "",
    priv_key: "",
  });
  const [status, setStatus] = useState<Status>({ kind: "idle" });
  // Marks the form live once hydrated (tests and the drawer wait for it).
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);
  const id = (name: string) => `snmp-${p.hostId}-${name}`;
  const set = (name: string) => (e: Event) => {
    const el = e.currentTarget as HTMLInputElement;
    setV((old) => ({ ...old, [name]: el.type === "checkbox" ? el.checked : el.value }));
  };

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(path, {
      method,
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        "x-csrf-token": csrfToken(),
      },
      body: body === undefined ? "{}" : JSON.stringify(body),
    });
    const json = await res.json().catch(() => null);
    if (!res.ok) throw new Error(uiErrorOf(json, `HTTP ${res.status}`));
    return json;
  };
  const done = () => {
    if (p.reloadOnDone) location.reload();
    p.onDone?.();
  };

  const save = async (e: Event) => {
    e.preventDefault();
    setStatus({ kind: "busy" });
    const secret = (x: string) => (x === "" ? undefined : x);
    const body = v.version === "v2c"
      ? { enabled: v.enabled, version: "v2c", port: Number(v.port), community: secret(v.community) }
      : {
        enabled: v.enabled,
        version: "v3",
        port: Number(v.port),
        v3_user: v.v3_user,
        auth_protocol: v.auth_protocol || null,
        auth_key: secret(v.auth_key),
        priv_protocol: v.priv_protocol || null,
        priv_key: secret(v.priv_key),
      };
    try {
      await call("PUT", `/api/v1/hosts/${p.hostId}/snmp`, body);
      setStatus({ kind: "ok", message: "Saved." });
      done();
    } catch (err) {
      setStatus({ kind: "error", message: (err as Error).message });
    }
  };

  const read = async () => {
    setStatus({ kind: "busy" });
    try {
      const r = await call("POST", `/api/v1/hosts/${p.hostId}/snmp/poll`);
      const ok = r.poll.status === "ok";
      setStatus({
        kind: ok ? "ok" : "error",
        message: ok ? `Read: ${r.poll.sys_name ?? "no sysName"}` : r.poll.error ?? r.poll.status,
      });
      done();
    } catch (err) {
      setStatus({ kind: "error", message: (err as Error).message });
    }
  };

  const input = (
    name: keyof typeof v,
    label: string,
    opts: { secret?: boolean; hint?: string },
  ) => (
    <div class="hd-field">
      <label for={id(name)}>{label}</label>
      <input
        id={id(name)}
        name={name}
        class="input mono"
        type={opts.secret ? "password" : "text"}
        autocomplete={opts.secret ? "new-password" : "off"}
        value={String(v[name])}
        onInput={set(name)}
        aria-describedby={opts.hint ? `${id(name)}-hint` : undefined}
      />
      {opts.hint && <span id={`${id(name)}-hint`} class="hd-hint">{opts.hint}</span>}
    </div>
  );
  const select = (name: keyof typeof v, label: string, options: string[]) => (
    <div class="hd-field">
      <label for={id(name)}>{label}</label>
      <select id={id(name)} name={name} class="input" value={String(v[name])} onChange={set(name)}>
        {options.map((o) => <option key={o} value={o}>{o || "none"}</option>)}
      </select>
    </div>
  );
  const stored = (has: boolean | undefined) => (has ? "Stored; leave blank to keep it" : undefined);

  return (
    <form
      class="hd-form"
      data-testid="snmp-form"
      data-ready={ready ? "" : undefined}
      onSubmit={save}
      novalidate
    >
      <p class="hd-hint">
        {p.effectiveFrom === "host"
          ? "This host's own settings are used."
          : p.effectiveFrom === "subnet"
          ? "Uses its subnet's defaults; saving here overrides them for this host."
          : "No SNMP settings apply to this host yet."}
      </p>
      <div class="hd-field">
        <label>
          <input type="checkbox" name="enabled" checked={v.enabled} onChange={set("enabled")} />
          {" "}
          Read this host over SNMP
        </label>
      </div>
      {select("version", "Version", ["v2c", "v3"])}
      {input("port", "UDP port", {})}
      {v.version === "v2c"
        ? input("community", "Community", { secret: true, hint: stored(s?.has_community) })
        : (
          <>
            {input("v3_user", "User", {})}
            {select("auth_protocol", "Authentication", AUTH)}
            {v.auth_protocol &&
              input("auth_key", "Auth pass phrase", {
                secret: true,
                hint: stored(s?.has_auth_key),
              })}
            {v.auth_protocol && select("priv_protocol", "Privacy (AES only)", PRIV)}
            {v.priv_protocol &&
              input("priv_key", "Privacy pass phrase", {
                secret: true,
                hint: stored(s?.has_priv_key),
              })}
          </>
        )}
      <div class="hd-actions">
        <button type="submit" class="btn" disabled={status.kind === "busy"}>Save SNMP</button>
        <button
          type="button"
          class="btn"
          data-testid="snmp-read-now"
          disabled={status.kind === "busy" || p.effectiveFrom === null}
          onClick={read}
        >
          Read now
        </button>
        <span role="status" class="hd-status" data-testid="snmp-status">
          {status.kind === "busy" ? "Working…" : ""}
          {status.kind === "ok" ? status.message : ""}
          {status.kind === "error" ? <span class="field-error">{status.message}</span> : ""}
        </span>
      </div>
    </form>
  );
}
