// NMAP_ARGS checked once at start-up: a bad value stops Pingfold with a clear message, not 422s later.
import { type Config, ConfigError } from "@/services/config/config.ts";
import { AppError } from "@/services/errors.ts";
import { defaultNmapArgs, isRoot, parseNmapArgs } from "./nmap_args.ts";

/**
 * Returns the nmap options scheduled scans use: NMAP_ARGS checked against the allowlist, or the
 * default for this process (`-sS` only as root). Throws ConfigError naming NMAP_ARGS and the
 * refused option, in the same shape as every other invalid setting. main.ts may call it right
 * after loadConfig(); the port-scan starter calls it too, so start-up is refused either way.
 */
export function validateNmapConfig(
  cfg: Pick<Config, "NMAP_ARGS">,
  opts: { root?: boolean } = {},
): string[] {
  const root = opts.root ?? isRoot();
  const raw = cfg.NMAP_ARGS?.trim();
  if (!raw) return defaultNmapArgs(root);
  try {
    const args = parseNmapArgs(raw, { isRoot: root });
    if (args.length === 0) return defaultNmapArgs(root);
    return args;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    throw new ConfigError(
      `invalid configuration:\n  NMAP_ARGS=${JSON.stringify(raw)}: ${err.message}`,
    );
  }
}
