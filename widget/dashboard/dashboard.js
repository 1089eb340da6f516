// The staff dashboard: log in, load the week over REST, then follow the staff feed live.

import { createApi, refusedTokenCodes } from "./api-client.js";
import { BoardState } from "./board-state.js";
import { createBoardView } from "./board-view.js";
import { connectLiveFeed } from "./live-feed.js";
import { boardWindows, browserTimeZone, localMidnight } from "./local-time.js";
import { clearSession, loadSession, saveSession } from "./session.js";

const page = findPage(document);
/** The board on screen: its session, client, state, view and feed; undefined when logged out. */
let current;

page.loginForm.addEventListener("submit", (event) => {
  event.preventDefault();
  void logIn();
});
page.logout.addEventListener("click", () => {
  closeBoard();
  clearSession();
  showLogin();
});

const stored = loadSession();
if (stored) openBoard(stored);
else showLogin();

async function logIn() {
  const form = new FormData(page.loginForm);
  const tenantCode = String(form.get("tenantCode") ?? "")
    .trim()
    .toLowerCase();
  const email = String(form.get("email") ?? "").trim();
  const password = String(form.get("password") ?? "");
  const submit = page.loginForm.querySelector("button[type=submit]");

  submit.disabled = true;
  hideError();
  try {
    const answer = await createApi(() => undefined).logIn(tenantCode, email, password);
    page.loginForm.elements.namedItem("password").value = "";
    openBoard(saveSession(tenantCode, answer));
  } catch (error) {
    showError(describe(error));
  } finally {
    submit.disabled = false;
  }
}

function openBoard(session) {
  hideError();
  page.login.hidden = true;
  page.dashboard.hidden = false;
  page.session.hidden = false;
  page.signedInAs.textContent = `${session.email} · ${session.tenantCode}`;
  page.timeZone.textContent = `Times are shown in ${browserTimeZone}.`;
  showConnection("connecting", "connecting…");

  const board = new BoardState();
  const open = { session, board, api: createApi(() => session.token), refreshing: false };
  open.view = createBoardView(page, board, staffActions(open));
  current = open;
  // The first load waits for the feed to connect, so nothing committed in between is missed.
  open.feed = connectLiveFeed(session.token, feedListener(open));
  open.timer = setInterval(() => tick(open), 1000);
  open.view.render(Date.now());
}

function closeBoard() {
  if (!current) return;
  current.feed.close();
  clearInterval(current.timer);
  current.view.clear();
  delete page.dashboard.dataset.loaded;
  current = undefined;
}

/** The token was refused: back to the login form, saying why. */
function endSession(message) {
  closeBoard();
  clearSession();
  showLogin();
  showError(message);
}

/** Loads calendars, services, holds and the week's bookings; reruns once if asked meanwhile. */
async function refresh(open) {
  if (open.refreshing) {
    open.again = true;
    return;
  }
  open.refreshing = true;
  try {
    do {
      open.again = false;
      await loadSnapshot(open);
      if (current !== open) return;
      page.dashboard.dataset.loaded = "true";
      open.view.render(Date.now());
    } while (open.again);
  } catch (error) {
    if (current === open) reportFailure(error);
  } finally {
    open.refreshing = false;
  }
}

async function loadSnapshot(open) {
  const { api, board } = open;
  const { week } = boardWindows(Date.now());
  board.beginLoad();
  try {
    const [calendars, services, holds, bookings] = await Promise.all([
      api.listCalendars(),
      api.listServices(),
      api.listHolds(),
      api.listBookings(week.fromMs, week.toMs),
    ]);
    board.finishLoad({ calendars, services, holds, bookings }, Date.now());
  } catch (error) {
    board.abortLoad();
    throw error;
  }
}

/** Names for a calendar or service made after the last load. */
async function refreshCatalog(open) {
  if (open.catalogLoading) return;
  open.catalogLoading = true;
  try {
    const [calendars, services] = await Promise.all([
      open.api.listCalendars(),
      open.api.listServices(),
    ]);
    if (current !== open) return;
    open.board.updateCatalog({ calendars, services });
    open.view.render(Date.now());
  } catch (error) {
    if (current === open) reportFailure(error);
  } finally {
    open.catalogLoading = false;
  }
}

function tick(open) {
  const now = Date.now();
  const loadedDay = open.board.dayStartMs;
  if (loadedDay !== undefined && localMidnight(now) !== loadedDay) void refresh(open);
  if (open.board.dropExpiredHolds(now)) open.view.render(now);
  else open.view.tick(now);
}

function feedListener(open) {
  // Events of a board that was closed meanwhile are dropped.
  function live(handle) {
    return (...args) => {
      if (current === open) handle(...args);
    };
  }
  const changed = (calendarId, serviceId) => {
    open.view.render(Date.now());
    if (open.board.lacksNames(calendarId, serviceId)) void refreshCatalog(open);
  };
  return {
    connected: live((recovered) => {
      showConnection("live", "live");
      // A recovered session got the events it missed; a new one must load again.
      if (!recovered) void refresh(open);
    }),
    disconnected: live((reason) => showConnection("offline", `reconnecting (${reason})…`)),
    failed: live((message, code) => {
      if (refusedTokenCodes.includes(code)) {
        endSession(`Live updates refused (${code}): ${message}. Log in again.`);
        return;
      }
      showConnection("offline", `offline: ${message}${code ? ` (${code})` : ""}`);
      if (open.board.dayStartMs === undefined) void refresh(open);
    }),
    booking: live((event) => {
      open.board.applyBooking(event.booking);
      changed(event.calendarId, event.booking.serviceId);
    }),
    holdUpdate: live((event) => {
      open.board.applyHoldEvent(event);
      changed(event.calendarId, event.hold.serviceId);
    }),
  };
}

/** Cancel, no-show and reschedule; the answer is shown at once, before its live event. */
function staffActions(open) {
  function act(call) {
    return async (id, ...args) => {
      try {
        const booking = await call(id, ...args);
        if (current !== open) return;
        open.board.applyBooking(booking);
        open.view.render(Date.now());
      } catch (error) {
        if (refusedTokenCodes.includes(error.code)) reportFailure(error);
        throw error;
      }
    };
  }

  return {
    cancel: act((id) => open.api.cancelBooking(id)),
    markNoShow: act((id) => open.api.markNoShow(id)),
    reschedule: act((id, start) => open.api.rescheduleBooking(id, start)),
  };
}

function reportFailure(error) {
  if (refusedTokenCodes.includes(error.code)) {
    endSession(`Your session has ended (${error.code}): ${error.message}. Log in again.`);
  } else {
    showError(describe(error));
  }
}

function describe(error) {
  return error.describe?.() ?? error.message ?? String(error);
}

function showLogin() {
  page.dashboard.hidden = true;
  page.session.hidden = true;
  page.login.hidden = false;
  const empty = [...page.loginForm.elements].find((field) => field.name && !field.value);
  empty?.focus();
}

function showConnection(state, text) {
  page.connection.dataset.state = state;
  page.connection.textContent = text;
}

function showError(message) {
  page.error.textContent = message;
  page.error.hidden = false;
}

function hideError() {
  page.error.hidden = true;
  page.error.textContent = "";
}

function findPage(root) {
  const find = (testId) => root.querySelector(`[data-testid="${testId}"]`);
  return {
    login: find("login"),
    loginForm: find("login-form"),
    dashboard: find("dashboard"),
    session: find("session"),
    connection: find("connection"),
    signedInAs: find("signed-in-as"),
    logout: find("logout"),
    error: find("error"),
    timeZone: find("time-zone"),
    counts: {
      today: find("count-today"),
      week: find("count-week"),
      holds: find("count-holds"),
      cancelled: find("count-cancelled-today"),
    },
    holds: find("holds"),
    holdsEmpty: find("holds-empty"),
    today: find("bookings-today"),
    todayEmpty: find("today-empty"),
    week: find("bookings-week"),
    weekEmpty: find("week-empty"),
  };
}
