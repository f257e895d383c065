// GET /api/v1/events: live host state changes and finished runs as Server-Sent Events.
import { streamSSE } from "hono/streaming";
import { z } from "@hono/zod-openapi";
import { AppError, notFound } from "@/services/errors.ts";
import { cidrContains, getSubnet, parseCidr, tryParseIp } from "@/services/ipam/mod.ts";
import type { LiveEvent } from "@/services/jobs/mod.ts";
import { apiRouter } from "@/web/api_router.ts";
import { errorResponses, idParam, safeString, security } from "@/web/api_schemas.ts";

const api = apiRouter();

/** A comment line now and then keeps proxies from closing an idle stream and reveals gone clients. */
const HEARTBEAT_MS = 20_000;
/** Streams end after this long; EventSource reconnects by itself (after `retry` ms). */
const MAX_STREAM_MS = 30 * 60_000;
const RETRY_MS = 3_000;
/** A client this far behind is cut off; it reconnects and re-reads counts. */
const MAX_QUEUE = 200;

api.openAPIRegistry.registerPath({
  method: "get",
  path: "/",
  tags: ["discovery"],
  summary: "Live events (Server-Sent Events)",
  description: "`event: hosts` carries `{changes: [{ip, host_id, subnet_id, up, prev_up, " +
    "latency_ms, since, last_seen, method, checked_at}]}` after each sweep (times in ms since " +
    "the epoch); `event: run` carries a finished sweep or ping. With `subnet_id`, only hosts " +
    "inside that subnet (children included) are sent. A `: keepalive` comment arrives every 20 s.",
  security,
  request: {
    query: z.object({ subnet_id: idParam().optional() }),
  },
  responses: {
    200: {
      description: "An endless text/event-stream",
      content: { "text/event-stream": { schema: safeString() } },
    },
    ...errorResponses,
  },
});

api.get("/", async (c) => {
  const deps = c.get("deps");
  const raw = c.req.query("subnet_id");
  let inside: ((ip: string) => boolean) | null = null;
  if (raw !== undefined) {
    if (!/^\d{1,15}$/.test(raw) || Number(raw) < 1) {
      throw new AppError(422, "validation_failed", "invalid query: subnet_id: expected an id");
    }
    const subnet = await getSubnet(deps.db, Number(raw));
    if (!subnet) throw notFound(`subnet ${raw}`);
    const range = parseCidr(subnet.cidr);
    inside = (ip) => {
      const a = tryParseIp(ip);
      return a !== null && cidrContains(range, a);
    };
  }
  const hub = deps.services.sweeps.live;

  return streamSSE(c, async (stream) => {
    const queue: LiveEvent[] = [];
    let done = false;
    let wake: (() => void) | null = null;
    const notify = () => {
      const w = wake;
      wake = null;
      w?.();
    };
    const off = hub.subscribe((event) => {
      if (queue.length >= MAX_QUEUE) done = true;
      else queue.push(event);
      notify();
    });
    const offClose = hub.onClose(() => {
      done = true;
      notify();
    });
    stream.onAbort(() => {
      done = true;
      notify();
    });
    const endAt = Date.now() + MAX_STREAM_MS;
    try {
      await stream.writeSSE({
        event: "hello",
        data: JSON.stringify({ now: deps.now() }),
        retry: RETRY_MS,
      });
      while (!done && !stream.aborted && Date.now() < endAt) {
        if (queue.length === 0) {
          let timer: ReturnType<typeof setTimeout> | undefined;
          await new Promise<void>((resolve) => {
            wake = resolve;
            timer = setTimeout(resolve, HEARTBEAT_MS);
          });
          clearTimeout(timer);
          if (queue.length === 0 && !done) await stream.write(": keepalive\n\n");
          continue;
        }
        const event = queue.shift()!;
        if (event.type === "hosts") {
          const changes = inside ? event.changes.filter((ch) => inside(ch.ip)) : event.changes;
          if (changes.length === 0) continue;
          await stream.writeSSE({ event: "hosts", data: JSON.stringify({ changes }) });
        } else {
          await stream.writeSSE({ event: "run", data: JSON.stringify(event.run) });
        }
      }
    } finally {
      off();
      offClose();
    }
  });
});

export default api;
