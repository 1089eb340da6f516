import { h } from "./element-builder.js";
import type { Hold, Slot } from "./live-availability.js";
import {
  addDays,
  dayKey,
  dayKeyOf,
  daysIn,
  weekdayColumn,
  zoneLabel,
  type Month,
  type TimeFormats,
} from "./local-time.js";
import type { Translate } from "./messages.js";
import type { ServiceOffer, TenantSetup } from "./widget-api.js";
import type { WidgetBooking } from "./widget-options.js";

/**
 * The steps of a booking, in order, and the two ends; then the steps of managing one:
 * its view, and the questions before a cancellation or a move.
 */
export type Step =
  | "loading"
  | "services"
  | "calendars"
  | "month"
  | "times"
  | "form"
  | "booked"
  | "failed"
  | "manage"
  | "confirmCancel"
  | "confirmMove";

/** The fields of the customer form. */
export type CustomerField = "name" | "email" | "phone";

/** Everything a view draws from. */
export interface WidgetState {
  step: Step;
  setup?: TenantSetup;
  service?: ServiceOffer;
  /** The calendar the month and times are of: the service's only one, or the one chosen. */
  calendarId?: string;
  zone: string;
  zones: string[];
  month: Month;
  today: string;
  day?: string;
  focusDay?: string;
  slots: Slot[];
  hold?: Hold;
  notice?: string;
  alternatives: Slot[];
  customer: Record<CustomerField, string>;
  fieldErrors: Partial<Record<CustomerField, string>>;
  submitting: boolean;
  booking?: WidgetBooking;
  icsHref?: string;
  /** The host page's address that reopens this booking's manage view. */
  manageHref?: string;
  /** True while the month and time pickers choose a new time for `booking`. */
  rescheduling: boolean;
  /** The new start asked for, while the move waits for the customer's yes. */
  moveTo?: string;
  failure?: string;
}

/** What the views can ask the widget to do. */
export interface WidgetActions {
  chooseService(id: string): void;
  chooseCalendar(id: string): void;
  showMonth(step: number): void;
  /** Moves the grid's focus to a day (showing its month when it is another). */
  focusDay(key: string): void;
  /** Remembers the day that has focus, without drawing anything. */
  noteFocus(key: string): void;
  chooseDay(key: string): void;
  chooseZone(zone: string): void;
  chooseTime(start: string): void;
  goBack(): void;
  submit(customer: Record<CustomerField, string>): void;
  restart(): void;
  /** Opens the pickers to choose a new time for the booking. */
  startReschedule(): void;
  /** Asks whether to cancel the booking. */
  askCancel(): void;
  confirmCancel(): void;
  confirmMove(): void;
}

/** What every view is drawn with. */
export interface ViewContext {
  state: WidgetState;
  actions: WidgetActions;
  t: Translate;
  formats: TimeFormats;
  showPricing: boolean;
  /** The changes the host page lets the widget offer (the tenant's rules apply as well). */
  features: { cancel: boolean; reschedule: boolean };
  /** Ids unique to this widget, so two widgets on a page never share one. */
  id: (name: string) => string;
}

/** The view of the current step. */
export function drawStep(view: ViewContext): HTMLElement {
  switch (view.state.step) {
    case "loading":
      return h("p", { class: "muted" }, view.t("loading"));
    case "services":
      return drawServices(view);
    case "calendars":
      return drawCalendars(view);
    case "month":
      return drawMonth(view);
    case "times":
      return drawTimes(view);
    case "form":
      return drawForm(view);
    case "booked":
    case "manage":
      return drawBooking(view);
    case "failed":
      return drawFailure(view);
    case "confirmCancel":
      return drawQuestion(view, "confirmCancel", "yesCancel", () => view.actions.confirmCancel());
    case "confirmMove":
      return drawQuestion(view, "moveTo", "moveBooking", () => view.actions.confirmMove());
  }
}

function drawServices({ state, actions, t, showPricing, id, formats }: ViewContext) {
  const services = state.setup?.services ?? [];
  const items = services.map((service) =>
    h(
      "li",
      {},
      h(
        "button",
        {
          type: "button",
          "data-key": `service-${service.id}`,
          onclick: () => actions.chooseService(service.id),
        },
        h("span", {}, service.name),
        h(
          "span",
          { class: "muted" },
          [
            t("minutes", { n: service.durationMinutes }),
            showPricing ? priceOf(service, formats.locale) : "",
          ]
            .filter(Boolean)
            .join(" · "),
        ),
      ),
    ),
  );
  return h(
    "div",
    {},
    h("h3", { id: id("services") }, t("chooseService")),
    h("ul", { class: "services", "aria-labelledby": id("services") }, ...items),
  );
}

/** The calendars a service is offered on, when there is more than one to choose from. */
function drawCalendars(view: ViewContext) {
  const { state, actions, t, id } = view;
  const offered = new Set(state.service?.calendarIds ?? []);
  const calendars = (state.setup?.calendars ?? []).filter((calendar) => offered.has(calendar.id));
  const items = calendars.map((calendar) =>
    h(
      "li",
      {},
      h(
        "button",
        {
          type: "button",
          "data-key": `calendar-${calendar.id}`,
          onclick: () => actions.chooseCalendar(calendar.id),
        },
        h("span", {}, calendar.name),
      ),
    ),
  );
  return h(
    "div",
    {},
    state.service ? h("p", { class: "muted" }, state.service.name) : null,
    h("h3", { id: id("calendars") }, t("chooseCalendar")),
    h("ul", { class: "services", "aria-labelledby": id("calendars") }, ...items),
    h("div", { class: "actions" }, backButton(view)),
  );
}

function priceOf(service: ServiceOffer, locale: string): string {
  if (service.priceCents === null || !service.currency) return "";
  return new Intl.NumberFormat(locale, { style: "currency", currency: service.currency }).format(
    service.priceCents / 100,
  );
}

function drawZonePicker({ state, actions, t, formats, id }: ViewContext) {
  const options = state.zones.map((zone) =>
    h("option", { value: zone, selected: zone === state.zone }, zoneLabel(zone, formats.locale)),
  );
  return h(
    "div",
    {},
    h("label", { for: id("zone") }, t("timeZone")),
    h(
      "select",
      {
        id: id("zone"),
        "data-key": "zone",
        onchange: (event: Event) => actions.chooseZone((event.target as HTMLSelectElement).value),
      },
      ...options,
    ),
  );
}

/** The days of the month that have at least one free time, in the chosen zone. */
export function freeDays(slots: Slot[], zone: string): Set<string> {
  return new Set(slots.map((slot) => dayKeyOf(Date.parse(slot.start), zone)));
}

function drawMonth(view: ViewContext) {
  const { state, actions, t, formats, id } = view;
  const free = freeDays(state.slots, state.zone);
  const thisMonth = state.today.slice(0, 7) >= dayKey(state.month, 1).slice(0, 7);
  const nav = h(
    "div",
    { class: "nav" },
    h(
      "button",
      {
        type: "button",
        "data-key": "previous-month",
        "aria-label": t("previousMonth"),
        disabled: thisMonth,
        onclick: () => actions.showMonth(-1),
      },
      "‹",
    ),
    h("h3", { id: id("month"), "aria-live": "polite" }, formats.month(state.month)),
    h(
      "button",
      {
        type: "button",
        "data-key": "next-month",
        "aria-label": t("nextMonth"),
        onclick: () => actions.showMonth(1),
      },
      "›",
    ),
  );
  const anyFree = [...free].some((key) => key.startsWith(dayKey(state.month, 1).slice(0, 7)));
  const moving = state.rescheduling && state.service;
  return h(
    "div",
    {},
    moving ? h("p", {}, t("chooseNewTime", { service: moving.name })) : null,
    h("p", { class: "muted" }, t("chooseDay")),
    nav,
    drawGrid(view, free),
    anyFree ? null : h("p", { class: "muted" }, t("noDays")),
    drawZonePicker(view),
    h("div", { class: "actions" }, backButton(view)),
  );
}

function drawGrid(view: ViewContext, free: Set<string>) {
  const { state, actions, t, formats, id } = view;
  const count = daysIn(state.month);
  const first = dayKey(state.month, 1);
  const focus = rovingDay(state, free);
  const cells: HTMLElement[] = Array.from({ length: weekdayColumn(first) }, () =>
    h("td", { role: "gridcell" }),
  );
  for (let day = 1; day <= count; day++) {
    const key = dayKey(state.month, day);
    const isFree = free.has(key) && key >= state.today;
    const label = `${formats.day(key)}, ${t(isFree ? "available" : "unavailable")}`;
    const button = h(
      "button",
      {
        type: "button",
        class: isFree ? "day free" : "day",
        tabindex: key === focus ? 0 : -1,
        "data-key": `day-${key}`,
        "data-date": key,
        "data-free": isFree,
        "aria-label": key === state.today ? `${label} (${t("today")})` : label,
        "aria-disabled": isFree ? false : "true",
        "aria-current": key === state.today ? "date" : false,
        onclick: () => isFree && actions.chooseDay(key),
        onfocus: () => actions.noteFocus(key),
      },
      String(day),
    );
    cells.push(
      h("td", { role: "gridcell", "aria-selected": key === state.day ? "true" : false }, button),
    );
  }
  while (cells.length % 7 !== 0) cells.push(h("td", { role: "gridcell" }));
  const rows: HTMLElement[] = [];
  for (let at = 0; at < cells.length; at += 7) {
    rows.push(h("tr", {}, ...cells.slice(at, at + 7)));
  }
  const headings = formats
    .weekdays()
    .map((name) => h("th", { scope: "col", abbr: name.long }, name.short));
  return h(
    "table",
    {
      class: "grid",
      role: "grid",
      "aria-labelledby": id("month"),
      onkeydown: (event: Event) => moveInGrid(event as KeyboardEvent, view),
    },
    h("thead", {}, h("tr", {}, ...headings)),
    h("tbody", {}, ...rows),
  );
}

/** The one day of the grid reachable with Tab: the focused, chosen, first free or first day. */
function rovingDay(state: WidgetState, free: Set<string>): string {
  const inMonth = (key: string | undefined) =>
    key !== undefined && key.slice(0, 7) === dayKey(state.month, 1).slice(0, 7) ? key : undefined;
  const firstFree = [...free]
    .filter((key) => key >= state.today)
    .sort()
    .find((key) => inMonth(key));
  const todayHere = inMonth(state.today);
  return (
    inMonth(state.focusDay) ??
    inMonth(state.day) ??
    firstFree ??
    todayHere ??
    dayKey(state.month, 1)
  );
}

const gridSteps: Record<string, number> = {
  ArrowLeft: -1,
  ArrowRight: 1,
  ArrowUp: -7,
  ArrowDown: 7,
};

function moveInGrid(event: KeyboardEvent, { state, actions }: ViewContext): void {
  const current = (event.target as HTMLElement).dataset.date;
  if (!current) return;
  let target: string | undefined;
  if (event.key in gridSteps) target = addDays(current, gridSteps[event.key]!);
  else if (event.key === "Home") target = addDays(current, -weekdayColumn(current));
  else if (event.key === "End") target = addDays(current, 6 - weekdayColumn(current));
  else if (event.key === "PageUp") target = addDays(current, -daysIn(state.month));
  else if (event.key === "PageDown") target = addDays(current, daysIn(state.month));
  if (!target) return;
  event.preventDefault();
  actions.focusDay(target);
}

function drawTimes(view: ViewContext) {
  const { state, actions, t, formats, id } = view;
  const day = state.day!;
  const times = state.slots.filter((slot) => dayKeyOf(Date.parse(slot.start), state.zone) === day);
  const buttons = times.map((slot) =>
    h(
      "li",
      {},
      h(
        "button",
        {
          type: "button",
          "data-key": `time-${slot.start}`,
          "data-start": slot.start,
          onclick: () => actions.chooseTime(slot.start),
        },
        formats.time(Date.parse(slot.start)),
      ),
    ),
  );
  return h(
    "div",
    {},
    h("h3", { id: id("day") }, formats.day(day)),
    drawNotice(view),
    times.length
      ? h("p", { class: "muted", id: id("times") }, t("chooseTime"))
      : h("p", { class: "muted" }, t("noTimes")),
    h(
      "ul",
      {
        class: "times",
        "aria-labelledby": `${id("day")} ${id("times")}`,
        onkeydown: (event: Event) => moveInList(event as KeyboardEvent),
      },
      ...buttons,
    ),
    drawZonePicker(view),
    h("div", { class: "actions" }, backButton(view)),
  );
}

/** Arrow keys move between the time buttons (Tab works too). */
function moveInList(event: KeyboardEvent): void {
  const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
  if (!step) return;
  const list = event.currentTarget as HTMLElement;
  const buttons = [...list.querySelectorAll("button")];
  const at = buttons.indexOf(event.target as HTMLButtonElement);
  const next = buttons[at + step];
  if (!next) return;
  event.preventDefault();
  next.focus();
}

function drawNotice({ state, actions, t, formats }: ViewContext) {
  if (!state.notice) return null;
  const alternatives = state.alternatives.map((slot) =>
    h(
      "li",
      {},
      h(
        "button",
        {
          type: "button",
          "data-key": `alternative-${slot.start}`,
          "data-start": slot.start,
          onclick: () => actions.chooseTime(slot.start),
        },
        formats.moment(Date.parse(slot.start)),
      ),
    ),
  );
  return h(
    "div",
    { class: "notice", "data-testid": "notice" },
    h("p", {}, state.notice),
    alternatives.length ? h("p", {}, t("nearestFree")) : null,
    alternatives.length ? h("ul", { class: "services" }, ...alternatives) : null,
  );
}

function drawForm(view: ViewContext) {
  const { state, actions, t, formats, id } = view;
  const hold = state.hold!;
  const form = h(
    "form",
    {
      novalidate: true,
      "aria-labelledby": id("details"),
      onsubmit: (event: Event) => {
        event.preventDefault();
        const data = new FormData(event.target as HTMLFormElement);
        const read = (name: CustomerField) => String(data.get(name) ?? "").trim();
        actions.submit({ name: read("name"), email: read("email"), phone: read("phone") });
      },
    },
    drawField(view, "name", "text", t("name")),
    drawField(view, "email", "email", t("email")),
    drawField(view, "phone", "tel", t("phone")),
    h(
      "div",
      { class: "actions" },
      backButton(view),
      h(
        "button",
        { type: "submit", class: "primary", "data-key": "book", disabled: state.submitting },
        t(state.submitting ? "booking" : "book"),
      ),
    ),
  );
  return h(
    "div",
    {},
    h("h3", { id: id("details") }, t("yourDetails")),
    h(
      "p",
      {},
      t("bookedFor", {
        service: state.service?.name ?? "",
        when: formats.moment(Date.parse(hold.start)),
      }),
    ),
    h("p", { class: "countdown", role: "timer", "data-countdown": true }, ""),
    state.notice ? h("p", { class: "notice", role: "alert" }, state.notice) : null,
    form,
  );
}

/** A labelled input; an invalid one points at its error message. */
function drawField({ state, id }: ViewContext, name: CustomerField, type: string, label: string) {
  const error = state.fieldErrors[name];
  return h(
    "div",
    {},
    h("label", { for: id(name) }, label),
    h("input", {
      id: id(name),
      name,
      type,
      autocomplete: type === "text" ? "name" : type,
      value: state.customer[name],
      "data-key": `field-${name}`,
      required: name !== "phone",
      "aria-invalid": error ? "true" : false,
      "aria-describedby": error ? id(`${name}-error`) : false,
    }),
    error ? h("p", { class: "field-error", id: id(`${name}-error`) }, error) : null,
  );
}

/** The confirmation, or the manage view: the booking and the changes the customer may make. */
function drawBooking(view: ViewContext) {
  const { state, actions, t, formats, id, features } = view;
  const booking = state.booking!;
  const confirmed = booking.status === "confirmed";
  const canCancel = features.cancel && !!booking.selfService?.canCancel;
  const canMove = features.reschedule && !!booking.selfService?.canReschedule;
  const heading =
    state.step === "booked" ? "booked" : confirmed ? "yourBooking" : ("cancelled" as const);
  const closed = state.step === "manage" && confirmed && !canCancel && !canMove;
  return h(
    "div",
    { "data-testid": "confirmation", "data-booking-id": booking.id, "data-status": booking.status },
    h("h3", { id: id("booked"), tabindex: -1, "data-key": "booked" }, t(heading)),
    state.notice ? h("p", { class: "notice", role: "status" }, state.notice) : null,
    h(
      "p",
      {},
      t("bookedFor", {
        service: state.service?.name ?? "",
        when: formats.moment(Date.parse(booking.start)),
      }),
    ),
    h("p", { class: "muted" }, t("reference", { id: booking.id })),
    confirmed
      ? h(
          "p",
          {},
          h(
            "a",
            { href: state.icsHref, download: `booking-${booking.id}.ics` },
            t("addToCalendar"),
          ),
        )
      : null,
    (canCancel || canMove) && state.manageHref
      ? h("p", {}, h("a", { href: state.manageHref, "data-key": "manage-link" }, t("manageLink")))
      : null,
    closed ? h("p", { class: "muted" }, t("changesClosed")) : null,
    h(
      "div",
      { class: "actions" },
      canMove ? actionButton("reschedule", t("reschedule"), actions.startReschedule) : null,
      canCancel ? actionButton("cancel", t("cancelBooking"), actions.askCancel) : null,
      actionButton("book-again", t("bookAgain"), actions.restart),
    ),
  );
}

/** A yes-or-back question before a change: its heading takes the focus. */
function drawQuestion(
  view: ViewContext,
  question: "confirmCancel" | "moveTo",
  yes: "yesCancel" | "moveBooking",
  confirm: () => void,
) {
  const { state, t, formats, id } = view;
  const booking = state.booking!;
  const when = formats.moment(Date.parse(question === "moveTo" ? state.moveTo! : booking.start));
  const busy = question === "moveTo" ? "moving" : "cancelling";
  return h(
    "div",
    { role: "group", "aria-labelledby": id("question") },
    h("h3", { id: id("question"), tabindex: -1, "data-key": "question" }, t(question, { when })),
    h("p", {}, t("bookedFor", { service: state.service?.name ?? "", when })),
    state.notice ? h("p", { class: "notice", role: "alert" }, state.notice) : null,
    h(
      "div",
      { class: "actions" },
      question === "moveTo"
        ? backButton(view)
        : actionButton("keep", t("keepBooking"), view.actions.goBack),
      h(
        "button",
        {
          type: "button",
          class: "primary",
          "data-key": "confirm",
          disabled: state.submitting,
          onclick: confirm,
        },
        t(state.submitting ? busy : yes),
      ),
    ),
  );
}

function actionButton(key: string, label: string, act: () => void) {
  return h("button", { type: "button", "data-key": key, onclick: () => act() }, label);
}

function drawFailure({ state, actions, t }: ViewContext) {
  return h(
    "div",
    {},
    h("p", { role: "alert" }, t("failed", { message: state.failure ?? "" })),
    h(
      "button",
      { type: "button", "data-key": "retry", onclick: () => actions.restart() },
      t("retry"),
    ),
  );
}

function backButton({ actions, t }: ViewContext) {
  return h(
    "button",
    { type: "button", "data-key": "back", onclick: () => actions.goBack() },
    t("back"),
  );
}
