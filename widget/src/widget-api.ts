import { WidgetError, type WidgetBooking } from "./widget-options.js";

/** A bookable service as the widget's config call lists it. */
export interface ServiceOffer {
  id: string;
  name: string;
  description: string | null;
  durationMinutes: number;
  priceCents: number | null;
  currency: string | null;
  /** Paid in advance: the widget sends the customer to checkout instead of booking. */
  requiresPrepayment?: boolean;
  calendarIds: string[];
}

/** A calendar (a person, a room) a service can be booked on. */
export interface CalendarOffer {
  id: string;
  name: string;
  timezone: string;
}

/** The answer of `GET /v1/widget/:tenantCode/config`. */
export interface TenantSetup {
  tenant: { code: string; name: string; timezone: string };
  branding: {
    primaryColor?: string | null;
    secondaryColor?: string | null;
    logoUrl?: string | null;
    fontFamily?: string | null;
    /** Corner radius in CSS pixels. */
    cornerRadius?: number | null;
    locale?: string | null;
  };
  /** The calendars the services are offered on (absent from older engines). */
  calendars?: CalendarOffer[];
  /** Show a small "Powered by VBWD" link (false on white-label plans; absent: older engines). */
  poweredBy?: boolean;
  /** What the tenant lets customers change themselves (absent from older engines). */
  selfService?: { allowCancel: boolean; allowReschedule: boolean; cutoffHours: number };
  services: ServiceOffer[];
}

/** A customer's details for a booking. */
export interface Customer {
  name: string;
  email: string;
  phone?: string;
}

/** The widget's REST calls under `/v1/widget/:tenantCode`, with its publishable key. */
export class WidgetApi {
  private readonly base: string;

  constructor(
    baseUrl: string,
    tenantCode: string,
    private readonly apiKey: string,
  ) {
    this.base = `${baseUrl}/v1/widget/${encodeURIComponent(tenantCode)}`;
  }

  /** The tenant's name, branding and services. */
  loadSetup(): Promise<TenantSetup> {
    return this.call("GET", "/config");
  }

  /** Books a held slot; the same idempotency key replays the first answer. */
  book(
    slot: { calendarId: string; serviceId: string; start: string; holdId: string },
    customer: Customer,
    idempotencyKey: string,
  ): Promise<WidgetBooking> {
    return this.call("POST", "/bookings", { ...slot, customer }, idempotencyKey);
  }

  /**
   * Opens the payment of a held slot of a prepaid service; the booking is made once it is paid.
   * Answers where to send the customer.
   */
  checkout(
    holdId: string,
    customer: Customer,
    urls: { successUrl: string; cancelUrl: string },
  ): Promise<{ url: string; sessionId: string; holdExpiresAt: string }> {
    return this.call("POST", `/holds/${encodeURIComponent(holdId)}/checkout`, {
      customer,
      ...urls,
    });
  }

  /** The booking a manage token opens. */
  readBooking(id: string, token: string): Promise<WidgetBooking> {
    return this.call("GET", `/bookings/${id}?token=${encodeURIComponent(token)}`);
  }

  /** Cancels the booking a manage token opens. */
  cancel(id: string, token: string): Promise<WidgetBooking> {
    return this.call("POST", `/bookings/${id}/cancel`, { token });
  }

  /** Moves the booking a manage token opens; 409 `slot_unavailable` leaves it as it was. */
  reschedule(id: string, token: string, start: string): Promise<WidgetBooking> {
    return this.call("POST", `/bookings/${id}/reschedule`, { token, start });
  }

  private async call<T>(method: string, path: string, body?: unknown, key?: string): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.apiKey}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (key) headers["idempotency-key"] = key;
    let response: Response;
    try {
      response = await fetch(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new WidgetError("network_error", `the booking service cannot be reached (${error})`);
    }
    const answer = await response.json().catch(() => undefined);
    if (response.ok) return answer as T;
    const refusal = answer?.error ?? {};
    throw new WidgetError(
      refusal.code ?? "http_error",
      refusal.message ?? `HTTP ${response.status}`,
      refusal.details,
    );
  }
}

/** A random idempotency key (crypto.randomUUID needs a secure page; this does not). */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return "wgt-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
