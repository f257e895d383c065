// One HTTP POST to a target, connected only to addresses the SSRF policy allows (checked in the
// socket's own lookup, so the address judged is the address used), with a hard deadline.
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import {
  type AddressPolicy,
  resolveAllowed,
  type Resolver,
  systemResolver,
  TargetRefused,
} from "./target_address.ts";

export interface PostRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  policy: AddressPolicy;
  resolve?: Resolver;
  /**
   * Keep-alive pools. Safe with the address check: every pooled socket was opened through the
   * checking lookup below, and an open connection's peer cannot be rebound.
   */
  agents?: { http: http.Agent; https: https.Agent };
}

export interface PostResult {
  /** HTTP status, or null when no response arrived. */
  status: number | null;
  latencyMs: number;
  /** A short reason when the attempt failed (status text, timeout, refused address…). */
  error: string | null;
  /** The receiver's Retry-After header, if any. */
  retryAfter: string | null;
  /** True when retrying cannot help (refused address, 4xx other than 408/425/429). */
  permanent: boolean;
}

/** Response bodies are read (to free the socket) but at most this much is kept for the log. */
const KEEP_BODY = 300;
const RETRYABLE_4XX = new Set([408, 425, 429]);

export function postOnce(req: PostRequest): Promise<PostResult> {
  const started = performance.now();
  const took = () => Math.round(performance.now() - started);
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return Promise.resolve(fail(`invalid URL`, 0, true));
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return Promise.resolve(fail(`scheme ${url.protocol} is not http or https`, 0, true));
  }
  const resolve = req.resolve ?? systemResolver;
  let refused: string | null = null;
  const lookup: LookupFunction = (hostname, options, callback) => {
    resolveAllowed(hostname, req.policy, resolve).then((found) => {
      const family = typeof options === "object" ? options.family : undefined;
      const usable = family ? found.filter((a) => a.family === family) : found;
      if (typeof options === "object" && options.all) {
        (callback as unknown as (e: null, a: typeof found) => void)(null, usable);
      } else callback(null, usable[0]?.address ?? "", usable[0]?.family ?? 4);
    }, (err: Error) => {
      if (err instanceof TargetRefused) refused = err.message;
      callback(err as NodeJS.ErrnoException, "", 4);
    });
  };

  return new Promise<PostResult>((done) => {
    let settled = false;
    const finish = (r: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      done(r);
    };
    const client = url.protocol === "https:" ? https : http;
    const body = new TextEncoder().encode(req.body);
    const request = client.request(url, {
      method: "POST",
      headers: { ...req.headers, "content-length": String(body.byteLength) },
      lookup,
      agent: req.agents ? (url.protocol === "https:" ? req.agents.https : req.agents.http) : false,
    }, (res) => {
      const chunks: string[] = [];
      let kept = 0;
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        if (kept < KEEP_BODY) {
          chunks.push(d);
          kept += d.length;
        }
      });
      res.on("end", () => {
        const status = res.statusCode ?? 0;
        const retryAfter = (res.headers["retry-after"] as string | undefined) ?? null;
        if (status >= 200 && status < 300) {
          return finish({ status, latencyMs: took(), error: null, retryAfter, permanent: false });
        }
        const text = chunks.join("").slice(0, KEEP_BODY).replace(/\s+/g, " ").trim();
        // Redirects are not followed: a 3xx could point anywhere, the check covers one address.
        const permanent = status >= 300 && status < 500 && !RETRYABLE_4XX.has(status);
        finish({
          status,
          latencyMs: took(),
          error: `HTTP ${status}${text ? `: ${text}` : ""}`,
          retryAfter,
          permanent,
        });
      });
      res.on("error", (e) => finish(fail(e.message, took(), false)));
    });
    const deadline = setTimeout(() => {
      request.destroy(new Error(`timed out after ${req.timeoutMs} ms`));
    }, req.timeoutMs);
    request.on("error", (e: Error) => {
      finish(refused ? fail(refused, took(), true) : fail(e.message, took(), false));
    });
    request.end(body);
  });
}

function fail(error: string, latencyMs: number, permanent: boolean): PostResult {
  return { status: null, latencyMs, error, retryAfter: null, permanent };
}
