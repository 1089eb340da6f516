import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

/** One message the catcher received, with its headers and decoded text parts. */
export interface CaughtMail {
  from: string;
  to: string[];
  subject: string;
  /** Every body part, transfer encoding undone, joined (plain text and HTML). */
  body: string;
  raw: string;
}

/** A real SMTP server on loopback that keeps every message it receives. */
export class SmtpCatcher {
  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
    /** Every message received so far, oldest first. */
    readonly mails: CaughtMail[],
  ) {}

  /** Starts listening on a free port of 127.0.0.1. */
  static async start(): Promise<SmtpCatcher> {
    const mails: CaughtMail[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("end", () => {
          const raw = Buffer.concat(chunks).toString("utf8");
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
          const to = session.envelope.rcptTo.map((rcpt) => rcpt.address);
          mails.push({ from, to, subject: headerOf(raw, "subject"), body: decodeBody(raw), raw });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return new SmtpCatcher(server, (server.server.address() as AddressInfo).port, mails);
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** The first message to `to` that `matches`, waiting for it up to `timeoutMs`. */
  async waitFor(
    to: string,
    matches: (mail: CaughtMail) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<CaughtMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.mails.find((mail) => mail.to.includes(to) && matches(mail));
      if (found) return found;
      if (Date.now() > deadline) {
        const seen = this.mails.map((mail) => `${mail.to.join(",")}: ${mail.subject}`);
        throw new Error(`no mail to ${to} within ${timeoutMs} ms; got ${seen.join(" | ")}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A header's value, unfolded, with RFC 2047 encoded words decoded. */
function headerOf(raw: string, name: string): string {
  const head = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, " ");
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name}:`));
  const value = line ? line.slice(name.length + 1).trim() : "";
  return value.replace(/=\?utf-8\?([qb])\?([^?]*)\?=\s*/gi, (_all, kind: string, text: string) =>
    kind.toLowerCase() === "b"
      ? Buffer.from(text, "base64").toString("utf8")
      : decodeQuotedPrintable(text.replace(/_/g, " ")),
  );
}

/** Every part's body with its transfer encoding (quoted-printable or base64) undone. */
function decodeBody(raw: string): string {
  const parts = raw.split(/\r?\n--[^\r\n]+\r?\n/);
  return parts
    .map((part) => {
      const [head = "", ...rest] = part.split(/\r?\n\r?\n/);
      const body = rest.join("\n\n");
      if (/content-transfer-encoding:\s*quoted-printable/i.test(head)) {
        return decodeQuotedPrintable(body);
      }
      if (/content-transfer-encoding:\s*base64/i.test(head)) {
        return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
      }
      return body;
    })
    .join("\n");
}

function decodeQuotedPrintable(text: string): string {
  const joined = text.replace(/=\r?\n/g, "");
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === "=" && /^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i]!, "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}
