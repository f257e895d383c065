// GET /settings: API tokens for the caller; the scan scope, users and the audit log for admins.
import type { AppContext } from "@/web/env.ts";
import { page } from "@/web/render.tsx";
import { Csrf } from "@/components/CsrfField.tsx";
import {
  type ApiTokenInfo,
  type AuditEntry,
  listApiTokens,
  listAudit,
  listUsers,
  type User,
} from "@/services/auth/mod.ts";
import { readScanScopeSetting, type ScanScopeSetting } from "@/services/sweeps/mod.ts";

function Tokens(p: { tokens: ApiTokenInfo[]; csrf: string; created?: string }) {
  return (
    <section class="card mb-4" aria-labelledby="tokens-title">
      <h2 id="tokens-title" class="text-xl font-bold mb-2">API tokens</h2>
      {p.created && (
        <p class="notice mb-2" role="status">
          New token (shown once, copy it now):{" "}
          <code class="mono wrap-anywhere" data-testid="new-token">{p.created}</code>
        </p>
      )}
      <form method="post" action="/settings/tokens" class="flex flex-wrap gap-2 mb-3">
        <Csrf token={p.csrf} />
        <label for="token-name" class="sr-only">Token name</label>
        <input
          id="token-name"
          class="input"
          name="name"
          required
          maxLength={100}
          placeholder="backup script"
        />
        <button class="btn" type="submit">Create token</button>
      </form>
      <div class="table-scroll" tabIndex={0} role="region" aria-label="API tokens">
        <table class="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Prefix</th>
              <th scope="col">Owner</th>
              <th scope="col" class="hide-sm">Last used</th>
              <th scope="col">State</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {p.tokens.map((t) => (
              <tr>
                <td>{t.name}</td>
                <td class="mono">{t.prefix}…</td>
                <td>{t.username}</td>
                <td class="hide-sm">{t.last_used_at ?? "never"}</td>
                <td>{t.revoked_at ? "revoked" : "active"}</td>
                <td>
                  {!t.revoked_at && (
                    <form method="post" action={`/settings/tokens/${t.id}/revoke`}>
                      <Csrf token={p.csrf} />
                      <button class="btn btn-quiet" type="submit">Revoke</button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** What the scan-scope form shows after a submit: the text typed and its error, or a notice. */
export interface ScopeFormState {
  text?: string;
  error?: string;
  notice?: string;
}

function ScanScopeForm(p: { setting: ScanScopeSetting; csrf: string; state?: ScopeFormState }) {
  const s = p.setting;
  const source = s.source === "settings"
    ? `set here by ${s.updated_by ?? "an admin"} at ${
      s.updated_at?.slice(0, 19).replace("T", " ")
    } UTC`
    : s.source === "env"
    ? "from the SCAN_SCOPE setting"
    : "the default: loopback and private ranges";
  return (
    <section class="card mb-4" aria-labelledby="scope-title">
      <h2 id="scope-title" class="text-xl font-bold mb-2">Scan scope</h2>
      <p class="mb-2 text-sm">
        Pingfold never pings, sweeps or port-scans an address outside these ranges. Now {source}.
      </p>
      {p.state?.notice && <p class="notice mb-2" role="status">{p.state.notice}</p>}
      <form method="post" action="/settings/scan-scope" class="flex flex-col gap-2">
        <Csrf token={p.csrf} />
        <label for="scope-cidrs" class="text-sm font-semibold">
          Ranges (one CIDR per line, or separated by commas)
        </label>
        <textarea
          id="scope-cidrs"
          name="cidrs"
          class="input mono"
          rows={6}
          aria-invalid={p.state?.error ? "true" : undefined}
          aria-describedby={p.state?.error ? "scope-cidrs-error" : "scope-cidrs-hint"}
        >
          {p.state?.text ?? s.cidrs.join("\n")}
        </textarea>
        {p.state?.error
          ? (
            <span id="scope-cidrs-error" class="field-error text-sm" data-field-error="cidrs">
              {p.state.error}
            </span>
          )
          : (
            <span id="scope-cidrs-hint" class="text-xs muted">
              Without a setting here: {s.fallback.join(", ")}
            </span>
          )}
        <div class="flex flex-wrap gap-2">
          <button class="btn" type="submit" name="_action" value="save">Save scan scope</button>
          {s.source === "settings" && (
            <button class="btn btn-quiet" type="submit" name="_action" value="reset">
              Reset to SCAN_SCOPE / default
            </button>
          )}
        </div>
      </form>
    </section>
  );
}

export interface UsersFormState {
  notice?: string;
  error?: string;
}

const ROLE_NAMES = ["admin", "editor", "viewer"] as const;

function RoleSelect(p: { id: string; value?: string }) {
  return (
    <select id={p.id} name="role" class="input">
      {ROLE_NAMES.map((r) => <option key={r} value={r} selected={p.value === r}>{r}</option>)}
    </select>
  );
}

function Users(p: { users: User[]; csrf: string; meId: number; state?: UsersFormState }) {
  return (
    <section class="card mb-4" aria-labelledby="users-title">
      <h2 id="users-title" class="text-xl font-bold mb-2">Users</h2>
      {p.state?.notice && (
        <p class="notice mb-2" role="status" data-testid="users-notice">{p.state.notice}</p>
      )}
      {p.state?.error && (
        <p class="field-error mb-2" role="alert" data-testid="users-error">{p.state.error}</p>
      )}
      <div class="table-scroll mb-3" tabIndex={0} role="region" aria-label="Users">
        <table class="table">
          <thead>
            <tr>
              <th scope="col">Username</th>
              <th scope="col">Role</th>
              <th scope="col">Password</th>
              <th scope="col">State</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {p.users.map((u) => (
              <tr data-user={u.username}>
                <td>{u.username}</td>
                <td>
                  <form method="post" action="/settings/users" class="flex gap-1 items-center">
                    <Csrf token={p.csrf} />
                    <input type="hidden" name="_action" value="role" />
                    <input type="hidden" name="user_id" value={String(u.id)} />
                    <label for={`role-${u.id}`} class="sr-only">Role of {u.username}</label>
                    <RoleSelect id={`role-${u.id}`} value={u.role} />
                    <button class="btn btn-quiet" type="submit">Set role</button>
                  </form>
                </td>
                <td>
                  <form method="post" action="/settings/users" class="flex gap-1 items-center">
                    <Csrf token={p.csrf} />
                    <input type="hidden" name="_action" value="password" />
                    <input type="hidden" name="user_id" value={String(u.id)} />
                    <label for={`pw-${u.id}`} class="sr-only">New password for {u.username}</label>
                    <input
                      id={`pw-${u.id}`}
                      class="input w-36"
                      type="password"
                      name="password"
                      autocomplete="new-password"
                      required
                      placeholder={u.must_change_password ? "must change" : "new password"}
                    />
                    <button class="btn btn-quiet" type="submit">Reset</button>
                  </form>
                </td>
                <td>{u.disabled ? "disabled" : "active"}</td>
                <td>
                  {u.id !== p.meId && (
                    <form method="post" action="/settings/users">
                      <Csrf token={p.csrf} />
                      <input type="hidden" name="user_id" value={String(u.id)} />
                      <button
                        class="btn btn-quiet"
                        type="submit"
                        name="_action"
                        value={u.disabled ? "enable" : "disable"}
                      >
                        {u.disabled ? "Enable" : "Disable"}
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form method="post" action="/settings/users" class="flex flex-wrap gap-2 items-end">
        <Csrf token={p.csrf} />
        <input type="hidden" name="_action" value="create" />
        <label class="flex flex-col text-sm">
          Username
          <input class="input" name="username" required maxLength={64} autocomplete="off" />
        </label>
        <label class="flex flex-col text-sm">
          First password
          <input
            class="input"
            type="password"
            name="password"
            required
            autocomplete="new-password"
          />
        </label>
        <label class="flex flex-col text-sm">
          Role
          <RoleSelect id="new-user-role" value="viewer" />
        </label>
        <button class="btn" type="submit">Add user</button>
      </form>
      <p class="muted text-sm mt-2">
        A new or reset password must be changed at the next login. Disabling logs the user out and
        stops their API tokens; their history stays.
      </p>
    </section>
  );
}

function Audit(p: { entries: AuditEntry[] }) {
  return (
    <section class="card" aria-labelledby="audit-title">
      <h2 id="audit-title" class="text-xl font-bold mb-2">Audit log (latest 50)</h2>
      <div class="table-scroll" tabIndex={0} role="region" aria-label="Audit log">
        <table class="table text-sm">
          <thead>
            <tr>
              <th scope="col">When (UTC)</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col" class="hide-sm">From</th>
            </tr>
          </thead>
          <tbody>
            {p.entries.map((e) => (
              <tr>
                <td class="mono">{e.ts.replace("T", " ").slice(0, 19)}</td>
                <td>{e.username ?? "—"}</td>
                <td>
                  {(e.detail as { summary?: string } | null)?.summary ?? e.action}
                  <span class="muted mono text-xs hide-sm">{` ${e.action}`}</span>
                </td>
                <td class="hide-sm">{e.client_ip ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export async function renderSettings(
  c: AppContext,
  created?: string,
  status = 200,
  scope?: ScopeFormState,
  usersState?: UsersFormState,
) {
  const { db, cfg } = c.get("deps");
  const user = c.get("user")!;
  const isAdmin = user.role === "admin";
  const csrf = c.get("csrfToken") ?? "";
  const [tokens, users, audit, scopeSetting] = await Promise.all([
    listApiTokens(db, isAdmin ? undefined : user.id),
    isAdmin ? listUsers(db) : Promise.resolve([]),
    isAdmin ? listAudit(db, { limit: 50 }) : Promise.resolve([]),
    isAdmin ? readScanScopeSetting(db, cfg.SCAN_SCOPE) : Promise.resolve(null),
  ]);
  return page(
    c,
    "Settings",
    <div>
      <h1 class="text-2xl font-bold mb-4">Settings</h1>
      <p class="mb-4">
        <a class="link" href="/account/password">Change your password</a>
      </p>
      <Tokens tokens={tokens} csrf={csrf} created={created} />
      {scopeSetting && <ScanScopeForm setting={scopeSetting} csrf={csrf} state={scope} />}
      {isAdmin && <Users users={users} csrf={csrf} meId={user.id} state={usersState} />}
      {isAdmin && <Audit entries={audit} />}
    </div>,
    status,
  );
}

export function GET(c: AppContext) {
  return renderSettings(c);
}
