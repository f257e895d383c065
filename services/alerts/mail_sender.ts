// E-mail targets: one message per delivery through the SMTP server of ALERT_SMTP_URL (nodemailer).
// nodemailer is loaded at the first message: most installs never send one, and loaded at start it
// held ~4 MB of an idle server's memory.
// @ts-types="@types/nodemailer"
import type nodemailerModule from "nodemailer";
import type { AlertEvent } from "./event_shape.ts";
import { renderMail } from "./payload_formats.ts";

export interface MailSettings {
  /** smtp://[user:pass@]host:port or smtps://…; null disables e-mail targets. */
  smtpUrl: string | null;
  from: string;
  timeoutMs: number;
}

export interface MailResult {
  latencyMs: number;
  error: string | null;
  permanent: boolean;
}

/** Sends `event` to `to` (comma-separated addresses) with the signature headers of webhooks. */
export async function sendMail(
  settings: MailSettings,
  to: string,
  event: AlertEvent,
  headers: Record<string, string>,
): Promise<MailResult> {
  const started = performance.now();
  const took = () => Math.round(performance.now() - started);
  if (!settings.smtpUrl) {
    return {
      latencyMs: 0,
      error: "ALERT_SMTP_URL is not set; e-mail cannot be sent",
      permanent: true,
    };
  }
  const nodemailer: typeof nodemailerModule = (await import("nodemailer")).default;
  const transport = nodemailer.createTransport(settings.smtpUrl, {
    connectionTimeout: settings.timeoutMs,
    greetingTimeout: settings.timeoutMs,
    socketTimeout: settings.timeoutMs,
  });
  const mail = renderMail(event);
  try {
    await transport.sendMail({
      from: settings.from,
      to,
      subject: mail.subject,
      text: mail.text,
      headers,
    });
    return { latencyMs: took(), error: null, permanent: false };
  } catch (e) {
    const err = e as { message?: string; responseCode?: number };
    // 5xx SMTP replies are permanent (bad recipient); 4xx and network errors are worth a retry.
    const permanent = typeof err.responseCode === "number" && err.responseCode >= 500;
    return { latencyMs: took(), error: String(err.message ?? e).slice(0, 300), permanent };
  } finally {
    transport.close();
  }
}
