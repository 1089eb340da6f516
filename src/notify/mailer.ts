import nodemailer from "nodemailer";
import type { MailSettings } from "../config.js";
import { moduleLogger } from "../logger.js";
import type { Database } from "../store/database.js";
import { EmailMessage, type EmailStatus } from "../store/entities/index.js";
import { idPrefixes, newId } from "../store/ids.js";

const log = moduleLogger("notify:mailer");

/** How long one SMTP exchange may take before the message is recorded as failed. */
const smtpTimeoutMs = 10_000;

/** One message ready to go: addressed, rendered, and named after its template. */
export interface OutgoingEmail {
  /** The tenant it is sent for; null for the platform's own messages. */
  tenantId: string | null;
  to: string;
  subject: string;
  template: string;
  text: string;
  html: string;
  /** Files sent along, such as a confirmation's `.ics`. */
  attachments?: { filename: string; content: string; contentType: string }[];
}

/** The minimal SMTP client the mailer needs (nodemailer's transport). */
interface SmtpTransport {
  sendMail(message: object): Promise<unknown>;
  close(): void;
}

/**
 * Sends email in the background and records every message in `email_messages`. `send` never
 * throws and never waits: callers hand it messages after their own transaction committed,
 * so a slow or broken SMTP server cannot fail or delay their request. Without `SMTP_URL`
 * messages are recorded as `recorded` and logged instead.
 */
export class Mailer {
  private readonly transport: SmtpTransport | undefined;
  private readonly pending = new Set<Promise<void>>();
  /** Outcomes waiting to be written together (one insert for many messages). */
  private unrecorded: EmailMessage[] = [];
  private recording: Promise<void> | undefined;

  constructor(
    private readonly db: Database,
    private readonly settings: MailSettings,
  ) {
    this.transport = settings.smtpUrl
      ? nodemailer.createTransport({
          url: settings.smtpUrl,
          connectionTimeout: smtpTimeoutMs,
          greetingTimeout: smtpTimeoutMs,
          socketTimeout: smtpTimeoutMs,
        })
      : undefined;
  }

  /** Queues a message; its outcome is logged and recorded, never thrown. */
  send(message: OutgoingEmail): void {
    const delivery = this.deliver(message).catch((err: unknown) => {
      log.error({ err, template: message.template }, "could not record an email");
    });
    this.pending.add(delivery);
    void delivery.finally(() => this.pending.delete(delivery));
  }

  /** Resolves once every message queued so far has been tried and recorded. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Waits for queued messages, then closes the SMTP connections. */
  async close(): Promise<void> {
    await this.idle();
    this.transport?.close();
  }

  private async deliver(message: OutgoingEmail): Promise<void> {
    const outcome = await this.transmit(message);
    this.unrecorded.push({
      id: newId(idPrefixes.emailMessage),
      tenant: message.tenantId,
      to: message.to,
      subject: message.subject.slice(0, 255),
      template: message.template,
      status: outcome.status,
      error: outcome.error?.slice(0, 500) ?? null,
      createdAt: new Date(),
    });
    await this.record();
  }

  /**
   * Writes the waiting outcomes: one write at a time, taking everything that piled up while the
   * previous one ran, so a burst of messages costs a few inserts rather than one each.
   */
  private async record(): Promise<void> {
    while (this.recording) await this.recording;
    if (this.unrecorded.length === 0) return;
    const batch = this.unrecorded;
    this.unrecorded = [];
    this.recording = (async () => {
      // One multi-row insert, without the unit of work's bookkeeping per row.
      await this.db.fork().insertMany(EmailMessage, batch);
    })().finally(() => (this.recording = undefined));
    await this.recording;
  }

  private async transmit(message: OutgoingEmail): Promise<{ status: EmailStatus; error?: string }> {
    const fields = { template: message.template, tenantId: message.tenantId };
    if (!this.transport) {
      log.info({ ...fields, to: message.to, subject: message.subject }, "email recorded (no SMTP)");
      return { status: "recorded" };
    }
    try {
      await this.transport.sendMail({
        from: this.settings.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        attachments: message.attachments ?? [],
      });
      log.debug(fields, "email sent");
      return { status: "sent" };
    } catch (err) {
      log.warn({ ...fields, err }, "email not sent");
      return { status: "failed", error: err instanceof Error ? err.message : String(err) };
    }
  }
}
