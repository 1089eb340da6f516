// The board's DOM. Rows are kept per booking and hold id and updated in place, so a live
// change never wipes a reschedule time being typed or the focus of a button.

import {
  boardWindows,
  formatCountdown,
  formatPrice,
  formatSpan,
  fromLocalInput,
  toLocalInput,
} from "./local-time.js";

const statusLabels = { confirmed: "confirmed", cancelled: "cancelled", no_show: "no-show" };

/**
 * Draws `board` into the page. `actions` runs the staff actions:
 * `cancel(id)`, `markNoShow(id)`, `reschedule(id, isoStart)`, each a promise.
 */
export function createBoardView(page, board, actions) {
  const bookingRows = new Map();
  const holdRows = new Map();
  const groups = new Map();

  function render(nowMs) {
    const { today, week } = boardWindows(nowMs);
    const later = { fromMs: today.toMs, toMs: week.toMs };
    const shown = new Set();
    renderSection(page.today, page.todayEmpty, "today", board.bookingsPerCalendar(today), shown);
    renderSection(page.week, page.weekEmpty, "week", board.bookingsPerCalendar(later), shown);
    for (const id of bookingRows.keys()) if (!shown.has(id)) bookingRows.delete(id);

    renderHolds(nowMs);
    renderCounts(nowMs);
  }

  function renderSection(container, empty, section, calendarGroups, shown) {
    const elements = calendarGroups.map((group) => {
      const parts = groupParts(`${section}:${group.calendarId}`, group.calendarId);
      parts.title.textContent = group.name;
      const rows = group.bookings.map((booking) => {
        shown.add(booking.id);
        return bookingRow(booking, section === "week").element;
      });
      placeChildren(parts.list, rows);
      return parts.element;
    });
    placeChildren(container, elements);
    for (const [key, parts] of groups) if (!parts.element.isConnected) groups.delete(key);
    empty.hidden = elements.length > 0;
  }

  function groupParts(key, calendarId) {
    let parts = groups.get(key);
    if (parts) return parts;
    const title = element("h3", {});
    const list = element("ol", { class: "bookings" });
    const attributes = { class: "calendar-group", "data-testid": "calendar-group" };
    const group = element("section", { ...attributes, "data-calendar-id": calendarId }, [
      title,
      list,
    ]);
    parts = { element: group, title, list };
    groups.set(key, parts);
    return parts;
  }

  function bookingRow(booking, withDay) {
    let parts = bookingRows.get(booking.id);
    if (!parts) {
      parts = buildBookingRow(booking.id, actions);
      bookingRows.set(booking.id, parts);
    }
    fillBookingRow(parts, booking, board, withDay);
    return parts;
  }

  function renderHolds(nowMs) {
    const holds = board.holdsInProgress(nowMs);
    const rows = holds.map((hold) => {
      let parts = holdRows.get(hold.id);
      if (!parts) {
        parts = buildHoldRow(hold.id);
        holdRows.set(hold.id, parts);
      }
      fillHoldRow(parts, hold, board, nowMs);
      return parts.element;
    });
    placeChildren(page.holds, rows);
    for (const [id, parts] of holdRows) if (!parts.element.isConnected) holdRows.delete(id);
    page.holdsEmpty.hidden = rows.length > 0;
  }

  function renderCounts(nowMs) {
    const counts = board.counts(nowMs);
    page.counts.today.textContent = String(counts.today);
    page.counts.week.textContent = String(counts.week);
    page.counts.holds.textContent = String(counts.holds);
    page.counts.cancelled.textContent = String(counts.cancelled);
  }

  /** Once a second: the countdowns move; the rest only changes with the data. */
  function tick(nowMs) {
    for (const parts of holdRows.values()) {
      parts.countdown.textContent = `expires in ${formatCountdown(parts.expiresAt, nowMs)}`;
    }
  }

  /** Empties the board (at logout), so the next staff member sees nothing of the last. */
  function clear() {
    for (const container of [page.today, page.week, page.holds]) container.replaceChildren();
    bookingRows.clear();
    holdRows.clear();
    groups.clear();
  }

  return { render, tick, clear };
}

function buildBookingRow(id, actions) {
  const parts = {
    when: element("time", { class: "booking-when", "data-testid": "booking-when" }),
    customer: element("span", { class: "booking-customer", "data-testid": "booking-customer" }),
    contact: element("span", { class: "booking-contact" }),
    service: element("span", { class: "booking-service" }),
    status: element("span", { class: "status", "data-testid": "booking-status" }),
    cancel: element("button", { type: "button", "data-testid": "cancel-booking" }, ["Cancel"]),
    noShow: element("button", { type: "button", "data-testid": "no-show-booking" }, ["No-show"]),
    input: element("input", { type: "datetime-local", name: "start", required: "" }),
    reschedule: element("button", { type: "submit", "data-testid": "reschedule-booking" }, [
      "Reschedule",
    ]),
    error: element("p", { class: "row-error", role: "alert", "data-testid": "booking-error" }),
    start: undefined,
  };
  parts.error.hidden = true;
  const form = element("form", { class: "reschedule", "data-testid": "reschedule-form" }, [
    element("label", {}, ["New start ", parts.input]),
    parts.reschedule,
  ]);
  parts.actions = element("div", { class: "booking-actions" }, [parts.cancel, parts.noShow, form]);
  const summary = [parts.when, parts.customer, parts.contact, parts.service, parts.status];
  parts.element = element("li", { class: "booking", "data-testid": "booking-row" }, [
    element("div", { class: "booking-summary" }, summary),
    parts.actions,
    parts.error,
  ]);
  parts.element.dataset.bookingId = id;

  parts.cancel.addEventListener("click", () => perform(parts, () => actions.cancel(id)));
  parts.noShow.addEventListener("click", () => perform(parts, () => actions.markNoShow(id)));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const start = fromLocalInput(parts.input.value);
    if (!start) return showRowError(parts, "choose the new start first");
    void perform(parts, () => actions.reschedule(id, start));
  });
  return parts;
}

function fillBookingRow(parts, booking, board, withDay) {
  const span = formatSpan(booking.start, booking.end, withDay);
  const { name, email, phone } = booking.customer;
  parts.when.textContent = span;
  parts.when.dateTime = booking.start;
  parts.customer.textContent = name;
  parts.contact.textContent = [email, phone].filter(Boolean).join(" · ");
  const price = formatPrice(booking.priceCents, booking.currency);
  parts.service.textContent = `${board.serviceName(booking.serviceId)} · ${price}`;
  parts.status.textContent = statusLabels[booking.status] ?? booking.status;
  parts.status.dataset.status = booking.status;
  parts.element.dataset.status = booking.status;
  parts.actions.hidden = booking.status !== "confirmed";

  const who = `${name}, ${span}`;
  parts.cancel.setAttribute("aria-label", `Cancel the booking of ${who}`);
  parts.noShow.setAttribute("aria-label", `Mark ${who} as a no-show`);
  parts.reschedule.setAttribute("aria-label", `Reschedule the booking of ${who}`);
  if (parts.start !== booking.start) {
    parts.start = booking.start;
    parts.input.value = toLocalInput(booking.start);
  }
}

/** Runs one staff action for a row: its buttons wait, and a refusal is shown in the row. */
async function perform(parts, run) {
  const buttons = [parts.cancel, parts.noShow, parts.reschedule];
  for (const button of buttons) button.disabled = true;
  parts.error.hidden = true;
  try {
    await run();
  } catch (error) {
    showRowError(parts, error.describe?.() ?? error.message);
  } finally {
    for (const button of buttons) button.disabled = false;
  }
}

function showRowError(parts, message) {
  parts.error.textContent = message;
  parts.error.hidden = false;
}

function buildHoldRow(id) {
  const parts = {
    where: element("span", { class: "hold-where" }),
    when: element("time", { class: "hold-when" }),
    countdown: element("span", { class: "countdown", "data-testid": "hold-countdown" }),
    expiresAt: undefined,
  };
  parts.element = element("li", { class: "hold", "data-testid": "hold-row" }, [
    parts.where,
    parts.when,
    parts.countdown,
  ]);
  parts.element.dataset.holdId = id;
  return parts;
}

function fillHoldRow(parts, hold, board, nowMs) {
  const service = board.serviceName(hold.serviceId);
  parts.where.textContent = `${board.calendarName(hold.calendarId)} · ${service}`;
  parts.when.textContent = formatSpan(hold.start, hold.end, true);
  parts.when.dateTime = hold.start;
  parts.expiresAt = hold.expiresAt;
  parts.countdown.textContent = `expires in ${formatCountdown(hold.expiresAt, nowMs)}`;
}

/** Puts `nodes` in `parent` in this order, moving only those out of place; drops the rest. */
function placeChildren(parent, nodes) {
  nodes.forEach((node, index) => {
    const current = parent.children[index];
    if (current !== node) parent.insertBefore(node, current ?? null);
  });
  while (parent.children.length > nodes.length) parent.lastElementChild.remove();
}

/** An element with attributes and children (strings become text: nothing is parsed). */
function element(tag, attributes, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}
