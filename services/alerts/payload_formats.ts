// One event rendered for each kind of target: our JSON, Slack, Discord, Teams, ntfy and e-mail.
import type { AlertEvent } from "./event_shape.ts";

export const TARGET_KINDS = ["webhook", "slack", "discord", "teams", "ntfy", "email"] as const;
export type TargetKind = typeof TARGET_KINDS[number];

export interface RenderedRequest {
  contentType: string;
  body: string;
  /** Extra headers of the format (ntfy's Title, Tags…). */
  headers: Record<string, string>;
}

export interface RenderedMail {
  subject: string;
  text: string;
}

const BAD = new Set(["host_down", "port_opened", "scan_failing", "exporter_silent"]);
const GOOD = new Set(["host_up"]);

function severity(e: AlertEvent): "bad" | "good" | "info" {
  if (e.kind === "indicator_status") {
    return e.detail.status === "ok" ? "good" : e.detail.status === "critical" ? "bad" : "info";
  }
  return BAD.has(e.kind) ? "bad" : GOOD.has(e.kind) ? "good" : "info";
}

const COLOR = { bad: 0xd93025, good: 0x188038, info: 0x1a73e8 };
const EMOJI = { bad: "🔴", good: "🟢", info: "🔵" };
const NTFY_TAG = { bad: "red_circle", good: "green_circle", info: "large_blue_circle" };
const NTFY_PRIORITY = { bad: "4", good: "3", info: "3" };

/** Slack mrkdwn needs &, < and > escaped; the rest of an event is plain text. */
const slackEscape = (s: string) =>
  s.replaceAll("&", "&amp;").replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;");
/** Discord and Teams render markdown: neutralize what would format or ping. */
const mdEscape = (s: string) => s.replace(/([\\`*_~|>\[\]()#@])/g, "\\$1");

/** Lines of facts under the summary, shared by the chat formats and e-mail. */
function facts(e: AlertEvent): Array<[string, string]> {
  const out: Array<[string, string]> = [["Event", e.kind], ["When", e.ts]];
  if (e.host) out.push(["Host", e.host.hostname ? `${e.host.hostname} (${e.host.ip})` : e.host.ip]);
  if (e.subnet) out.push(["Subnet", `${e.subnet.cidr}${e.subnet.name ? ` ${e.subnet.name}` : ""}`]);
  if (e.server) out.push(["Server", e.server.name ?? String(e.server.id)]);
  if (e.organization) out.push(["Organization", e.organization.name ?? String(e.organization.id)]);
  return out;
}

export function renderRequest(kind: Exclude<TargetKind, "email">, e: AlertEvent): RenderedRequest {
  const sev = severity(e);
  const json = (v: unknown): RenderedRequest => ({
    contentType: "application/json",
    body: JSON.stringify(v),
    headers: {},
  });
  switch (kind) {
    case "webhook":
      return json(e);
    case "slack":
      return json({
        text: `${EMOJI[sev]} ${slackEscape(e.summary)} <${e.url}|open>`,
        blocks: [
          {
            type: "section",
            text: { type: "mrkdwn", text: `${EMOJI[sev]} *${slackEscape(e.summary)}*` },
          },
          {
            type: "context",
            elements: [{
              type: "mrkdwn",
              text: facts(e).map(([k, v]) => `${k}: ${slackEscape(v)}`).join(" · ") +
                ` · <${e.url}|open in Pingfold>`,
            }],
          },
        ],
      });
    case "discord":
      return json({
        content: "",
        allowed_mentions: { parse: [] },
        embeds: [{
          title: mdEscape(e.summary).slice(0, 256),
          url: e.url,
          color: COLOR[sev],
          timestamp: e.ts,
          fields: facts(e).map(([k, v]) => ({ name: k, value: mdEscape(v), inline: true })),
        }],
      });
    case "teams":
      // An Adaptive Card message: what Teams Workflows ("Post to a channel when a webhook
      // request is received") and the older incoming webhooks both accept.
      return json({
        type: "message",
        attachments: [{
          contentType: "application/vnd.microsoft.card.adaptive",
          content: {
            $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
            type: "AdaptiveCard",
            version: "1.4",
            body: [
              {
                type: "TextBlock",
                text: mdEscape(e.summary),
                weight: "Bolder",
                wrap: true,
                color: sev === "bad" ? "Attention" : sev === "good" ? "Good" : "Default",
              },
              {
                type: "FactSet",
                facts: facts(e).map(([k, v]) => ({ title: k, value: mdEscape(v) })),
              },
            ],
            actions: [{ type: "Action.OpenUrl", title: "Open in Pingfold", url: e.url }],
          },
        }],
      });
    case "ntfy":
      // ntfy publishes the body as the message; headers carry title, priority, tags and link.
      return {
        contentType: "text/plain; charset=utf-8",
        body: [e.summary, ...facts(e).map(([k, v]) => `${k}: ${v}`)].join("\n"),
        headers: {
          Title: asciiHeader(`Pingfold: ${e.kind}`),
          Priority: NTFY_PRIORITY[sev],
          Tags: NTFY_TAG[sev],
          Click: e.url,
        },
      };
  }
}

export function renderMail(e: AlertEvent): RenderedMail {
  const lines = [e.summary, "", ...facts(e).map(([k, v]) => `${k}: ${v}`), "", e.url, ""];
  if (Object.keys(e.detail).length > 0) lines.push(JSON.stringify(e.detail, null, 2));
  return { subject: `[Pingfold] ${e.summary}`.slice(0, 200), text: lines.join("\n") };
}

/** Header values must be ASCII without line breaks. */
function asciiHeader(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, "?").slice(0, 200);
}
