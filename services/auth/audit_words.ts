// Audit entries in words ("created subnet 198.51.100.0/24"), from the request that made them.

/** What the request named: fields of its form or JSON body, or of the object it answered. */
export interface ChangeFacts {
  method: string;
  path: string;
  /** Form or JSON fields sent (only the naming ones are read). */
  sent?: Record<string, unknown>;
  /** The JSON object answered (a create returns the stored object). */
  answered?: Record<string, unknown>;
}

const VERB: Record<string, string> = {
  POST: "created",
  PUT: "replaced",
  PATCH: "edited",
  DELETE: "deleted",
};

/** Path → the kind of object; the first matching rule wins. */
const KINDS: Array<[RegExp, string]> = [
  [/^\/(api\/v1\/)?subnets(\/|$)/, "subnet"],
  [/^\/(api\/v1\/)?hosts(\/|$)/, "host"],
  [/^\/(api\/v1\/)?import(\/|$)/, "import"],
  [/^\/(settings\/)?tokens(\/|$)|^\/api\/v1\/tokens/, "API token"],
  [/^\/api\/v1\/users/, "user"],
  [/^\/(settings\/)?scan-scope|^\/api\/v1\/settings\/scan-scope/, "scan scope"],
  [/^\/(inventory\/)?organizations|^\/api\/v1\/organizations/, "organization"],
  [/^\/(inventory\/)?servers|^\/api\/v1\/servers/, "server"],
  [/^\/alerts\/rules|^\/api\/v1\/alerts\/rules/, "alert rule"],
  [/^\/alerts\/targets|^\/api\/v1\/alerts\/targets/, "alert target"],
  [/^\/alerts\/silences|^\/api\/v1\/alerts\/silences/, "silence"],
  [/^\/api\/v1\/scans\//, "address"],
  [/^\/$/, "subnet"], // the dashboard's add-a-subnet form
];

/** Action words at the end of a path: `/subnets/3/sweep` is a sweep, not an edit. */
const TAIL_VERB: Array<[RegExp, string]> = [
  [/\/sweep$/, "started a sweep of"],
  [/\/ping$/, "pinged"],
  [/\/portscan$/, "started a port scan of"],
  [/\/revoke$/, "revoked"],
  [/\/delete$/, "deleted"],
  [/\/test$/, "sent a test to"],
  [/\/claim$/, "claimed"],
];

const text = (v: unknown) => typeof v === "string" && v.trim() ? v.trim().slice(0, 120) : null;

/** One line a person reads in Settings → Audit log. */
export function describeChange(f: ChangeFacts): string {
  const kind = KINDS.find(([re]) => re.test(f.path))?.[1];
  if (!kind) return `${f.method} ${f.path}`;
  const o = { ...f.sent, ...f.answered };
  const name = text(o.cidr) ?? text(o.ip) ?? text(o.username) ?? text(o.name) ??
    text(o.target);
  const id = /\/(\d+)(?:\/[a-z-]+)?$/.exec(f.path)?.[1];
  const what = name ?? (id ? `#${id}` : "");
  const tail = TAIL_VERB.find(([re]) => re.test(f.path))?.[1];
  let verb = tail ?? VERB[f.method] ?? f.method.toLowerCase();
  // A form POST to an object's own page is an edit (or a delete, when the form says so).
  if (!tail && f.method === "POST" && id) {
    verb = String(f.sent?._action ?? "") === "delete" ? "deleted" : "edited";
  }
  if (kind === "import") return `imported ${text(o.kind) ?? "a CSV"}`;
  if (kind === "scan scope") return "changed the scan scope";
  return `${verb} ${kind}${what ? ` ${what}` : ""}`;
}
