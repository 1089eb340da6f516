import { moduleLogger } from "../logger.js";
import type { Database } from "../store/database.js";
import { SmsMessage, type SmsStatus } from "../store/entities/index.js";
import { idPrefixes, newId } from "../store/ids.js";

const log = moduleLogger("notify:sms");

/** Where text messages go out, and as whom. */
export interface SmsSettings {
  /** `SMS_API_URL`: a Twilio-style REST API (https://api.twilio.com); unset: record only. */
  apiUrl: string | undefined;
  /** `SMS_ACCOUNT_SID` and `SMS_AUTH_TOKEN`: the account, by HTTP basic auth. */
  accountSid: string | undefined;
  authToken: string | undefined;
  /** `SMS_FROM`: the sending number or name. */
  from: string | undefined;
}

/** A service that delivers text messages. */
export interface SmsProvider {
  /** Hands one message over; answers the provider's id for it, or throws why not. */
  send(message: { to: string; body: string }): Promise<{ providerId: string }>;
}

const requestTimeoutMs = 10_000;

/**
 * A provider with Twilio's Messages API shape: `POST {api}/2010-04-01/Accounts/{sid}/Messages.json`
 * with a form body (`To`, `From`, `Body`) and basic auth; it answers the message's `sid`.
 */
export class HttpSmsProvider implements SmsProvider {
  constructor(private readonly settings: Required<{ [K in keyof SmsSettings]: string }>) {}

  async send(message: { to: string; body: string }): Promise<{ providerId: string }> {
    const { apiUrl, accountSid, authToken, from } = this.settings;
    const url = `${apiUrl.replace(/\/+$/, "")}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`;
    const response = await fetch(url, {
      method: "POST",
      signal: AbortSignal.timeout(requestTimeoutMs),
      headers: {
        authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ To: message.to, From: from, Body: message.body }),
    });
    const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok) {
      throw new Error(
        `the SMS provider answered ${response.status}: ${String(answer["message"] ?? "")}`,
      );
    }
    return { providerId: String(answer["sid"] ?? "") };
  }
}

/** The configured provider, or undefined when text messages are only recorded. */
export function smsProviderFor(settings: SmsSettings): SmsProvider | undefined {
  const { apiUrl, accountSid, authToken, from } = settings;
  if (!apiUrl || !accountSid || !authToken || !from) return undefined;
  return new HttpSmsProvider({ apiUrl, accountSid, authToken, from });
}

/** A phone number in E.164 form (`+4930123456`) from what a customer typed, or undefined. */
export function e164(phone: string | null | undefined): string | undefined {
  if (!phone) return undefined;
  const compact = phone.replace(/[\s().-]/g, "").replace(/^00/, "+");
  return /^\+[1-9]\d{6,14}$/.test(compact) ? compact : undefined;
}

/** One text message for a tenant's customer. */
export interface OutgoingSms {
  tenantId: string;
  to: string;
  template: string;
  body: string;
}

/**
 * Sends text messages and records every one in `sms_messages`, which is also the tenant's SMS
 * meter. Like the mailer it never throws to its caller: failures are logged and recorded.
 */
export class SmsSender {
  constructor(
    private readonly db: Database,
    private readonly provider: SmsProvider | undefined,
  ) {}

  async send(message: OutgoingSms): Promise<SmsStatus> {
    let status: SmsStatus = "recorded";
    let providerId: string | null = null;
    let error: string | null = null;
    if (this.provider) {
      try {
        providerId = (await this.provider.send({ to: message.to, body: message.body })).providerId;
        status = "sent";
      } catch (failure) {
        status = "failed";
        error = (failure instanceof Error ? failure.message : String(failure)).slice(0, 480);
        log.warn(
          { tenant: message.tenantId, template: message.template, err: failure },
          "SMS not sent",
        );
      }
    } else {
      log.info(
        { tenant: message.tenantId, template: message.template },
        "SMS recorded (no provider)",
      );
    }
    try {
      const em = this.db.forkForTenant(message.tenantId);
      em.create(SmsMessage, {
        id: newId(idPrefixes.smsMessage),
        tenant: message.tenantId,
        to: message.to,
        template: message.template,
        body: message.body.slice(0, 1600),
        status,
        providerId,
        error,
        createdAt: new Date(),
      });
      await em.flush();
    } catch (failure) {
      log.error({ err: failure, tenant: message.tenantId }, "could not record an SMS");
    }
    return status;
  }
}
