/** Colours, font and corners; any field left out comes from the tenant's branding. */
export interface WidgetTheme {
  primaryColor?: string;
  secondaryColor?: string;
  fontFamily?: string;
  borderRadius?: string;
  logoUrl?: string;
}

/** Parts of the widget that can be switched. */
export interface WidgetFeatures {
  /** Show each service's price (default true). */
  showPricing?: boolean;
  /** Offer "Reschedule" when the tenant allows customers to move bookings (default true). */
  enableRescheduling?: boolean;
  /** Offer "Cancel booking" when the tenant allows customers to cancel (default true). */
  enableCancellation?: boolean;
}

/** How the widget sits in the host page. */
export type EmbedMode = "inline" | "popup" | "floating";

/** A booking as the engine answers it. */
export interface WidgetBooking {
  id: string;
  calendarId: string;
  serviceId: string;
  start: string;
  end: string;
  status: string;
  /** Lets the bearer see, cancel and move this one booking (the manage link carries it). */
  manageToken?: string;
  /** What the customer may change now, by the tenant's rules. */
  selfService?: { canCancel: boolean; canReschedule: boolean; changeableUntil: string };
  [field: string]: unknown;
}

/** An error the widget reports, with the engine's code when the engine refused. */
export class WidgetError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "WidgetError";
  }
}

/** What `VBWDWidget.init` takes. */
export interface WidgetConfig {
  /** The tenant's code. */
  tenantId: string;
  /** A publishable key (`pk_…`); a secret key is refused before anything is sent. */
  apiKey: string;
  /** The element, or a CSS selector for it, the widget lives in. */
  container: string | HTMLElement;
  /** The engine's address (default: where the widget script came from). */
  baseUrl?: string;
  theme?: WidgetTheme;
  features?: WidgetFeatures;
  /** `en`, `de` or `fr` (default: the tenant's locale, then English). */
  locale?: string;
  /** IANA time zone times are shown in first (default: the visitor's). */
  timeZone?: string;
  /** `inline` (default), `popup` behind a button, or a `floating` button. */
  mode?: EmbedMode;
  onReady?: () => void;
  onBook?: (booking: WidgetBooking) => void;
  /** The customer moved their booking; `previousStart` is where it was. */
  onReschedule?: (booking: WidgetBooking, previousStart: string) => void;
  /** The customer cancelled their booking. */
  onCancel?: (booking: WidgetBooking) => void;
  onError?: (error: WidgetError) => void;
}

/** The options after checking, with every default filled in. */
export interface WidgetSettings {
  tenantCode: string;
  apiKey: string;
  host: HTMLElement;
  baseUrl: string;
  theme: WidgetTheme;
  showPricing: boolean;
  enableRescheduling: boolean;
  enableCancellation: boolean;
  locale: string | undefined;
  timeZone: string;
  mode: EmbedMode;
  onReady: () => void;
  onBook: (booking: WidgetBooking) => void;
  onReschedule: (booking: WidgetBooking, previousStart: string) => void;
  onCancel: (booking: WidgetBooking) => void;
  onError: (error: WidgetError) => void;
}

const modes: readonly EmbedMode[] = ["inline", "popup", "floating"];
const nothing = () => undefined;

/**
 * Checks the options and fills in the defaults once. Throws a WidgetError (code
 * `invalid_config`) that says what to change; nothing has been sent when it does.
 */
export function settleOptions(config: WidgetConfig, defaultBaseUrl: string): WidgetSettings {
  if (!config || typeof config !== "object") refuse("init takes an options object");
  const { tenantId, apiKey } = config;
  if (typeof tenantId !== "string" || !/^[a-z0-9-]{1,60}$/i.test(tenantId)) {
    refuse("tenantId must be the tenant's code, such as 'demo'");
  }
  checkKey(apiKey);
  const host = findHost(config.container);
  const mode = config.mode ?? "inline";
  if (!modes.includes(mode)) refuse(`mode must be one of ${modes.join(", ")}`);
  const baseUrl = (config.baseUrl ?? defaultBaseUrl).replace(/\/+$/, "");
  if (!/^https?:\/\//.test(baseUrl)) refuse("baseUrl must be an http(s) address of the engine");

  return {
    tenantCode: tenantId.toLowerCase(),
    apiKey,
    host,
    baseUrl,
    theme: { ...config.theme },
    showPricing: config.features?.showPricing ?? true,
    enableRescheduling: config.features?.enableRescheduling ?? true,
    enableCancellation: config.features?.enableCancellation ?? true,
    locale: config.locale,
    timeZone: config.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? "UTC",
    mode,
    onReady: config.onReady ?? nothing,
    onBook: config.onBook ?? nothing,
    onReschedule: config.onReschedule ?? nothing,
    onCancel: config.onCancel ?? nothing,
    onError: config.onError ?? nothing,
  };
}

/** The container named by the options, when it can be found (for reporting a bad config). */
export function findHostQuietly(container: unknown): HTMLElement | undefined {
  if (container instanceof HTMLElement) return container;
  if (typeof container !== "string") return undefined;
  try {
    return document.querySelector<HTMLElement>(container) ?? undefined;
  } catch {
    return undefined;
  }
}

function checkKey(apiKey: unknown): asserts apiKey is string {
  if (typeof apiKey !== "string" || apiKey === "") {
    refuse("apiKey is missing: pass the tenant's publishable key (pk_…)");
  }
  if (/^sk_/.test(apiKey)) {
    refuse(
      "apiKey is a secret key: never put it in a web page; revoke it and pass a publishable key (pk_…)",
    );
  }
  if (!/^pk_/.test(apiKey)) refuse("apiKey must be a publishable key (pk_…)");
}

function findHost(container: unknown): HTMLElement {
  const host = findHostQuietly(container);
  if (!host) refuse(`container ${String(container)} is not an element on this page`);
  return host;
}

function refuse(message: string): never {
  throw new WidgetError("invalid_config", `VBWDWidget: ${message}`);
}
