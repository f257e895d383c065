// POST /settings/scan-scope: an admin sets (or resets) the scan scope from the settings page.
import type { AppContext } from "@/web/env.ts";
import { requireRole } from "@/services/auth/mod.ts";
import { AppError } from "@/services/errors.ts";
import { saveScanScope } from "@/services/sweeps/mod.ts";
import { renderSettings } from "./index.tsx";

export async function POST(c: AppContext) {
  const user = c.get("user")!;
  requireRole(user, "admin");
  const form = await c.req.parseBody();
  const reset = form._action === "reset";
  const text = typeof form.cidrs === "string" ? form.cidrs : "";
  try {
    const saved = await saveScanScope(
      c.get("deps").db,
      c.get("deps").cfg.SCAN_SCOPE,
      reset ? null : text.split(/[\s,]+/).filter(Boolean),
      { username: user.username, clientIp: c.get("clientIp") },
    );
    return renderSettings(c, undefined, 200, {
      notice: reset
        ? `Scan scope reset to ${saved.cidrs.join(", ") || "nothing"}.`
        : `Scan scope saved: ${saved.cidrs.length} ranges.`,
    });
  } catch (e) {
    if (!(e instanceof AppError) || e.status !== 422) throw e;
    return renderSettings(c, undefined, 422, { text, error: e.message });
  }
}
