import { calendarFile } from "./calendar-file.js";
import {
  drawStep,
  freeDays,
  type CustomerField,
  type WidgetState,
  type WidgetActions,
} from "./booking-views.js";
import { buildFrame, type EmbedFrame } from "./embed-frame.js";
import { h } from "./element-builder.js";
import { LiveAvailability, type Slot } from "./live-availability.js";
import { manageLinkFor, readManageLink, type ManageLink } from "./manage-link.js";
import { dayKey, dayKeyOf, monthOf, monthWindow, shiftMonth, TimeFormats } from "./local-time.js";
import { languageOf, translatorFor, type Translate } from "./messages.js";
import { newIdempotencyKey, WidgetApi, type Customer, type ServiceOffer } from "./widget-api.js";
import {
  WidgetError,
  type WidgetBooking,
  type WidgetSettings,
  type WidgetTheme,
} from "./widget-options.js";
import { themeProperties } from "./widget-styles.js";

/** The DOM events the widget dispatches on its container (bubbling, composed). */
export type WidgetEventName =
  | "vbwd:ready"
  | "vbwd:slot-held"
  | "vbwd:slot-released"
  /** The customer is sent to pay for a prepaid service (just before the page leaves). */
  | "vbwd:checkout"
  | "vbwd:booked"
  | "vbwd:rescheduled"
  | "vbwd:cancelled"
  | "vbwd:error";

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const phonePattern = /^\+?[0-9 ()./-]{4,30}$/;
/** How many months ahead the first view looks for a free day. */
const monthsToSearch = 2;
/** How long a destroyed widget waits for its hold's release before closing its socket. */
const closeAfterMs = 2000;
let widgetCount = 0;

/** One booking widget on a page: its frame, state, socket and timers. */
export class BookingWidget {
  private readonly frame: EmbedFrame;
  private readonly api: WidgetApi;
  private readonly prefix = `vbwd-${++widgetCount}`;
  private live: LiveAvailability | undefined;
  private t: Translate;
  private locale: string;
  private state: WidgetState;
  private pendingFocus: string | undefined;
  private countdown: ReturnType<typeof setInterval> | undefined;
  private idempotencyKey: string | undefined;
  private destroyed = false;
  /** True while a hold is being placed, so a double click places one. */
  private holding = false;

  constructor(private readonly settings: WidgetSettings) {
    this.locale = settings.locale ?? "en";
    this.t = translatorFor(this.locale);
    this.frame = buildFrame(settings.host, settings.mode);
    this.api = new WidgetApi(settings.baseUrl, settings.tenantCode, settings.apiKey);
    const today = dayKeyOf(Date.now(), settings.timeZone);
    this.state = {
      step: "loading",
      zone: settings.timeZone,
      zones: [settings.timeZone],
      month: monthOf(today),
      today,
      slots: [],
      alternatives: [],
      customer: { name: "", email: "", phone: "" },
      fieldErrors: {},
      submitting: false,
      rescheduling: false,
    };
  }

  /** Loads the tenant's setup, applies its branding and language, and shows the services. */
  async start(): Promise<void> {
    this.frame.applyTheme(themeProperties(this.settings.theme));
    this.frame.relabel(this.t, this.settings.tenantCode);
    this.render();
    try {
      const setup = await this.api.loadSetup();
      if (this.destroyed) return;
      this.applySetup(setup);
      this.live = new LiveAvailability(
        this.settings.baseUrl,
        { tenant: this.settings.tenantCode, apiKey: this.settings.apiKey },
        (slots) => this.showSlots(slots),
        (error) => this.report(error),
        (holdId) => this.loseHold(holdId),
      );
      this.update({ step: "services" });
      this.settings.onReady();
      this.emit("vbwd:ready", { tenant: setup.tenant });
      addEventListener("hashchange", this.followManageLink);
      await this.followManageLink();
    } catch (error) {
      this.fail(error);
    }
  }

  /** Releases the hold, closes the socket once the release is answered, empties the container. */
  destroy(): void {
    if (this.destroyed) return;
    const released = this.releaseHold("destroyed");
    this.destroyed = true;
    removeEventListener("hashchange", this.followManageLink);
    const live = this.live;
    // Closing at once could drop the release; the engine would then keep the hold for its grace.
    const patience = new Promise((resolve) => setTimeout(resolve, closeAfterMs));
    void Promise.race([released, patience]).then(() => live?.close());
    this.frame.remove();
  }

  private applySetup(setup: NonNullable<WidgetState["setup"]>): void {
    const { branding, tenant } = setup;
    const fromTenant: WidgetTheme = {
      primaryColor: branding.primaryColor ?? undefined,
      secondaryColor: branding.secondaryColor ?? undefined,
      // An uploaded logo is a path on the engine, not on the page the widget is embedded in.
      logoUrl: branding.logoUrl ? new URL(branding.logoUrl, this.settings.baseUrl).href : undefined,
      fontFamily: branding.fontFamily ?? undefined,
      borderRadius:
        typeof branding.cornerRadius === "number" ? `${branding.cornerRadius}px` : undefined,
    };
    const own = Object.fromEntries(
      Object.entries(this.settings.theme).filter(([, value]) => value !== undefined),
    );
    const theme: WidgetTheme = { ...fromTenant, ...own };
    this.settings.theme = theme;
    this.frame.applyTheme(themeProperties(theme));
    this.locale = this.settings.locale ?? branding.locale ?? "en";
    this.t = translatorFor(this.locale);
    this.frame.relabel(this.t, tenant.name);
    const zones = [this.settings.timeZone, tenant.timezone, "UTC"];
    this.state.zones = [...new Set(zones)];
    this.state.setup = setup;
  }

  private readonly actions: WidgetActions = {
    chooseService: (id) => void this.chooseService(id),
    chooseCalendar: (id) => {
      const { service } = this.state;
      if (service?.calendarIds.includes(id)) void this.pickDay(service, id);
    },
    showMonth: (step) => void this.showMonth(shiftMonth(this.state.month, step)),
    focusDay: (key) => this.focusDay(key),
    noteFocus: (key) => (this.state.focusDay = key),
    chooseDay: (key) => {
      this.pendingFocus = "first-time";
      this.update({ step: "times", day: key, focusDay: key, notice: undefined, alternatives: [] });
    },
    chooseZone: (zone) => this.chooseZone(zone),
    chooseTime: (start) => void this.chooseTime(start),
    goBack: () => this.goBack(),
    submit: (customer) => void this.submit(customer),
    restart: () => this.restart(),
    startReschedule: () => this.startReschedule(),
    askCancel: () => {
      this.pendingFocus = "question";
      this.update({ step: "confirmCancel", notice: undefined });
    },
    confirmCancel: () => void this.cancelBooking(),
    confirmMove: () => void this.moveBooking(),
  };

  /** Opens the manage view when the page's address carries a manage link for this tenant. */
  private readonly followManageLink = async (): Promise<void> => {
    const link = readManageLink(location.hash, this.settings.tenantCode);
    if (link && !this.destroyed) await this.openManageLink(link);
  };

  private async openManageLink(link: ManageLink): Promise<void> {
    try {
      const booking = await this.api.readBooking(link.bookingId, link.token);
      const service = this.state.setup?.services.find((offer) => offer.id === booking.serviceId);
      this.pendingFocus = "booked";
      this.showBooking(booking, { step: "manage", service });
    } catch (error) {
      this.fail(error);
    }
  }

  /** Shows a booking the engine answered, with its calendar file and manage link. */
  private showBooking(booking: WidgetBooking, change: Partial<WidgetState>): void {
    const token = booking.manageToken;
    const link = { tenant: this.settings.tenantCode, bookingId: booking.id, token: token ?? "" };
    this.update({
      ...change,
      booking,
      rescheduling: false,
      moveTo: undefined,
      submitting: false,
      icsHref: this.calendarLink(booking.id, booking.start, booking.end),
      manageHref: token ? manageLinkFor(location.href, link) : undefined,
    });
  }

  /** The month and time pickers, choosing a new time on the booking's own calendar. */
  private startReschedule(): void {
    const { booking, service } = this.state;
    if (!booking || !service) return;
    this.state.rescheduling = true;
    void this.pickDay(service, booking.calendarId);
  }

  private async moveBooking(): Promise<void> {
    const { booking, moveTo } = this.state;
    if (!booking?.manageToken || !moveTo || this.state.submitting) return;
    this.update({ submitting: true, notice: undefined });
    try {
      const moved = await this.api.reschedule(booking.id, booking.manageToken, moveTo);
      this.pendingFocus = "booked";
      this.showBooking(moved, { step: "manage", notice: this.t("rescheduled") });
      this.settings.onReschedule(moved, booking.start);
      this.emit("vbwd:rescheduled", { booking: moved, previousStart: booking.start });
    } catch (error) {
      this.state.submitting = false;
      if (error instanceof WidgetError && error.code === "slot_unavailable") {
        this.offerNearest(moveTo);
      } else {
        this.update({ notice: error instanceof Error ? error.message : String(error) });
      }
      this.report(error);
    }
  }

  private async cancelBooking(): Promise<void> {
    const { booking } = this.state;
    if (!booking?.manageToken || this.state.submitting) return;
    this.update({ submitting: true, notice: undefined });
    try {
      const cancelled = await this.api.cancel(booking.id, booking.manageToken);
      this.pendingFocus = "booked";
      this.showBooking(cancelled, { step: "manage" });
      this.settings.onCancel(cancelled);
      this.emit("vbwd:cancelled", { booking: cancelled });
    } catch (error) {
      this.update({
        submitting: false,
        notice: error instanceof Error ? error.message : String(error),
      });
      this.report(error);
    }
  }

  private async chooseService(id: string): Promise<void> {
    const service = this.state.setup?.services.find((offer) => offer.id === id);
    if (!service) return;
    const [only, ...others] = service.calendarIds;
    if (only !== undefined && others.length === 0) return this.pickDay(service, only);
    this.pendingFocus = "first-calendar";
    this.update({ service, step: "calendars", notice: undefined });
  }

  /** Shows the month view of a service on a calendar, from the first month with a free day. */
  private async pickDay(service: ServiceOffer, calendarId: string): Promise<void> {
    const reset = { day: undefined, focusDay: undefined, notice: undefined };
    this.update({ service, calendarId, step: "month", ...reset });
    let month = monthOf(this.state.today);
    for (let tries = 0; tries <= monthsToSearch; tries++) {
      await this.showMonth(month);
      if (this.freeDaysOfMonth() > 0) break;
      month = shiftMonth(month, 1);
    }
    this.pendingFocus = "roving-day";
    this.render();
  }

  private async showMonth(month: WidgetState["month"]): Promise<void> {
    const { service, calendarId } = this.state;
    if (!service || !calendarId || !this.live) return;
    this.state.month = month;
    this.render();
    const window = monthWindow(month, Date.now());
    try {
      const slots = await this.live.follow({ calendarId, serviceId: service.id, ...window });
      const zone = this.live.calendarZone;
      if (!this.state.zones.includes(zone)) this.state.zones.push(zone);
      this.showSlots(slots);
    } catch (error) {
      this.report(error);
    }
  }

  private freeDaysOfMonth(): number {
    const prefix = dayKey(this.state.month, 1).slice(0, 7);
    const free = freeDays(this.state.slots, this.state.zone);
    return [...free].filter((key) => key.startsWith(prefix) && key >= this.state.today).length;
  }

  private focusDay(key: string): void {
    this.state.focusDay = key;
    this.pendingFocus = `day-${key}`;
    const month = monthOf(key);
    const { year, month: index } = this.state.month;
    if (month.year !== year || month.month !== index) void this.showMonth(month);
    else this.render();
  }

  private chooseZone(zone: string): void {
    const today = dayKeyOf(Date.now(), zone);
    const day = this.state.day && this.state.step === "times" ? this.state.day : undefined;
    this.pendingFocus = "zone";
    this.update({ zone, today, day });
  }

  /** Applies the socket's current free slots; the step on screen is drawn again. */
  private showSlots(slots: Slot[]): void {
    this.state.slots = slots;
    if (this.state.step === "month" || this.state.step === "times") this.render();
  }

  private async chooseTime(start: string): Promise<void> {
    const { service, hold, calendarId } = this.state;
    if (this.state.rescheduling) {
      this.pendingFocus = "question";
      return this.update({ step: "confirmMove", moveTo: start, notice: undefined });
    }
    if (!service || !calendarId || !this.live || hold || this.holding) return;
    this.holding = true;
    try {
      const placed = await this.live.hold(calendarId, service.id, start);
      this.idempotencyKey = undefined;
      this.pendingFocus = "field-name";
      this.update({
        hold: placed,
        step: "form",
        notice: undefined,
        alternatives: [],
        fieldErrors: {},
      });
      this.startCountdown();
      this.emit("vbwd:slot-held", { hold: placed });
    } catch (error) {
      if (error instanceof WidgetError && error.code === "slot_unavailable")
        this.offerNearest(start);
      else this.report(error);
    } finally {
      this.holding = false;
    }
  }

  /** The time was taken meanwhile: say so and offer the nearest free ones. */
  private offerNearest(start: string): void {
    const wanted = Date.parse(start);
    const others = this.state.slots.filter((slot) => slot.start !== start);
    const nearest = others
      .sort(
        (a, b) => Math.abs(Date.parse(a.start) - wanted) - Math.abs(Date.parse(b.start) - wanted),
      )
      .slice(0, 3)
      .sort((a, b) => a.start.localeCompare(b.start));
    this.state.slots = others.sort((a, b) => a.start.localeCompare(b.start));
    this.pendingFocus = nearest[0] ? `alternative-${nearest[0].start}` : "back";
    const day = this.state.day ?? dayKeyOf(wanted, this.state.zone);
    this.update({ step: "times", day, notice: this.t("slotTaken"), alternatives: nearest });
  }

  private startCountdown(): void {
    clearInterval(this.countdown);
    const tick = () => {
      if (!this.state.hold) return clearInterval(this.countdown);
      if (this.showCountdown() === 0) this.expireHold();
    };
    tick();
    this.countdown = setInterval(tick, 1000);
  }

  /** The engine ended the hold while the socket was away. */
  private loseHold(holdId: string): void {
    if (this.state.hold?.id !== holdId) return;
    void this.releaseHold("lost");
    this.update({ step: "times", notice: this.t("holdExpired"), alternatives: [] });
  }

  private expireHold(): void {
    void this.releaseHold("expired");
    this.update({ step: "times", notice: this.t("holdExpired"), alternatives: [] });
  }

  /** Gives the hold back (unless the engine already ended it); settles once it is answered. */
  private releaseHold(reason: "back" | "expired" | "destroyed" | "lost"): Promise<void> {
    clearInterval(this.countdown);
    const hold = this.state.hold;
    if (!hold) return Promise.resolve();
    this.state.hold = undefined;
    this.emit("vbwd:slot-released", { holdId: hold.id, reason });
    if (reason === "lost" || !this.live) return Promise.resolve();
    return this.live.release(hold.id).catch(() => undefined);
  }

  private goBack(): void {
    const back: Partial<Record<WidgetState["step"], WidgetState["step"]>> = {
      month: this.state.rescheduling
        ? "manage"
        : (this.state.service?.calendarIds.length ?? 0) > 1
          ? "calendars"
          : "services",
      calendars: "services",
      times: "month",
      form: "times",
      confirmMove: "times",
      confirmCancel: "manage",
    };
    const step = back[this.state.step];
    if (!step) return;
    if (step === "manage") {
      this.pendingFocus = "booked";
      return this.showBooking(this.state.booking!, { step, notice: undefined });
    }
    if (this.state.step === "form") void this.releaseHold("back");
    this.pendingFocus =
      step === "month" ? "roving-day" : step === "times" ? "first-time" : undefined;
    this.update({ step, notice: undefined, alternatives: [] });
  }

  private async submit(customer: Record<CustomerField, string>): Promise<void> {
    const { hold, service } = this.state;
    if (!hold || !service || this.state.submitting) return;
    const fieldErrors = this.checkCustomer(customer);
    const invalid = Object.keys(fieldErrors)[0];
    if (invalid) {
      this.pendingFocus = `field-${invalid}`;
      return this.update({ customer, fieldErrors });
    }
    this.idempotencyKey ??= newIdempotencyKey();
    this.update({ customer, fieldErrors, submitting: true, notice: undefined });
    try {
      const slot = {
        calendarId: hold.calendarId,
        serviceId: hold.serviceId,
        start: hold.start,
        holdId: hold.id,
      };
      const contact = {
        name: customer.name,
        email: customer.email,
        ...(customer.phone ? { phone: customer.phone } : {}),
      };
      if (service.requiresPrepayment) return await this.payFor(hold.id, contact);
      const booking = await this.api.book(slot, contact, this.idempotencyKey);
      clearInterval(this.countdown);
      this.state.hold = undefined;
      this.pendingFocus = "booked";
      this.showBooking(booking, { step: "booked" });
      this.settings.onBook(booking);
      this.emit("vbwd:booked", { booking });
    } catch (error) {
      this.state.submitting = false;
      this.refuseBooking(error);
    }
  }

  /** Sends the customer to pay for the held slot; the engine books it once Stripe is paid. */
  private async payFor(holdId: string, contact: Customer): Promise<void> {
    const page = new URL(window.location.href);
    page.searchParams.set("vbwd-payment", "success");
    const successUrl = page.toString();
    page.searchParams.set("vbwd-payment", "cancelled");
    const checkout = await this.api.checkout(holdId, contact, {
      successUrl,
      cancelUrl: page.toString(),
    });
    this.emit("vbwd:checkout", { holdId, sessionId: checkout.sessionId });
    window.location.assign(checkout.url);
  }

  private refuseBooking(error: unknown): void {
    const code = error instanceof WidgetError ? error.code : "";
    if (code === "hold_expired" || code === "slot_unavailable") {
      void this.releaseHold("lost");
      this.update({
        step: "times",
        notice: this.t(code === "hold_expired" ? "holdExpired" : "slotTaken"),
      });
    } else {
      this.update({ notice: error instanceof Error ? error.message : String(error) });
    }
    this.report(error);
  }

  private checkCustomer(customer: Record<CustomerField, string>) {
    const errors: Partial<Record<CustomerField, string>> = {};
    if (!customer.name) errors.name = this.t("nameRequired");
    if (!emailPattern.test(customer.email)) errors.email = this.t("emailInvalid");
    if (customer.phone && !phonePattern.test(customer.phone)) errors.phone = this.t("phoneInvalid");
    return errors;
  }

  private calendarLink(id: string, start: string, end: string): string {
    const tenant = this.state.setup?.tenant.name ?? this.settings.tenantCode;
    const text = calendarFile({
      uid: `${id}@vbwd`,
      start,
      end,
      summary: `${this.state.service?.name ?? ""} (${tenant})`,
      description: this.t("reference", { id }),
    });
    return `data:text/calendar;charset=utf-8,${encodeURIComponent(text)}`;
  }

  private restart(): void {
    if (!this.state.setup) {
      this.update({ step: "loading", failure: undefined });
      void this.start();
      return;
    }
    this.idempotencyKey = undefined;
    this.update({
      step: "services",
      booking: undefined,
      day: undefined,
      notice: undefined,
      submitting: false,
      rescheduling: false,
    });
  }

  private fail(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.update({ step: "failed", failure: message });
    this.report(error);
  }

  /** Tells the host: the onError callback, a `vbwd:error` event and the console. */
  private report(error: unknown): void {
    if (this.destroyed) return;
    const reported =
      error instanceof WidgetError ? error : new WidgetError("internal_error", String(error));
    console.error(`VBWDWidget: ${reported.code}: ${reported.message}`);
    this.settings.onError(reported);
    this.emit("vbwd:error", { code: reported.code, message: reported.message });
  }

  private emit(name: WidgetEventName, detail: object): void {
    if (this.destroyed) return;
    const event = new CustomEvent(name, { detail, bubbles: true, composed: true });
    this.settings.host.dispatchEvent(event);
  }

  private update(change: Partial<WidgetState>): void {
    Object.assign(this.state, change);
    this.render();
  }

  /** Draws the current step, keeping focus on the element that had it (or the one asked for). */
  private render(): void {
    if (this.destroyed) return;
    const { panel, shadow } = this.frame;
    const active = shadow.activeElement as HTMLElement | null;
    const held = active && panel.contains(active) ? active.dataset.key : undefined;
    const wanted = this.pendingFocus ?? held;
    this.pendingFocus = undefined;

    const formats = new TimeFormats(this.locale, this.state.zone);
    const view = {
      state: this.state,
      actions: this.actions,
      t: this.t,
      formats,
      showPricing: this.settings.showPricing,
      features: {
        cancel: this.settings.enableCancellation,
        reschedule: this.settings.enableRescheduling,
      },
      id: (name: string) => `${this.prefix}-${name}`,
    };
    panel.lang = languageOf(this.locale);
    const footer = this.drawPoweredBy();
    panel.replaceChildren(this.drawHeading(), drawStep(view), ...(footer ? [footer] : []));
    if (this.state.step === "form") this.showCountdown();
    if (wanted) this.focus(wanted);
  }

  /** Writes the hold's time left into the form; answers the milliseconds left. */
  private showCountdown(): number {
    const hold = this.state.hold;
    if (!hold) return 0;
    const left = Math.max(0, Date.parse(hold.expiresAt) - Date.now());
    const seconds = String(Math.floor((left % 60_000) / 1000)).padStart(2, "0");
    const shown = this.frame.panel.querySelector("[data-countdown]");
    const time = `${Math.floor(left / 60_000)}:${seconds}`;
    if (shown) shown.textContent = this.t("heldFor", { time });
    return left;
  }

  private drawHeading(): HTMLElement {
    const { setup } = this.state;
    const logo = this.settings.theme.logoUrl;
    return h(
      "div",
      { class: "head" },
      logo ? h("img", { src: logo, alt: "" }) : null,
      setup ? h("h2", {}, setup.tenant.name) : null,
    );
  }

  /** A small link to VBWD under the widget, unless the tenant's plan is white label. */
  private drawPoweredBy(): HTMLElement | null {
    if (this.state.setup?.poweredBy !== true) return null;
    const link = { href: "https://vbwd.io", target: "_blank", rel: "noopener" };
    return h("p", { class: "powered", "data-powered-by": true }, h("a", link, "Powered by VBWD"));
  }

  private focus(key: string): void {
    const panel = this.frame.panel;
    const target =
      key === "roving-day"
        ? panel.querySelector<HTMLElement>('.day[tabindex="0"]')
        : key === "first-calendar"
          ? panel.querySelector<HTMLElement>('[data-key^="calendar-"]')
          : key === "first-time"
            ? (panel.querySelector<HTMLElement>(".times button") ??
              panel.querySelector<HTMLElement>('[data-key="back"]'))
            : panel.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`);
    target?.focus();
  }
}
