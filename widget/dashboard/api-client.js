// The REST calls the dashboard makes, with the staff token, and the engine's error shape.

/** Error codes meaning the token is no good: the dashboard goes back to the login form. */
export const refusedTokenCodes = ["invalid_credentials", "unauthenticated"];

/** A refused call: the engine's `{ error: { code, message, details } }` and the HTTP status. */
export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** The message with each field problem of an `invalid_input` answer. */
  describe() {
    if (!Array.isArray(this.details) || this.details.length === 0) return this.message;
    const fields = this.details.map((problem) => `${problem.path}: ${problem.message}`);
    return `${this.message} (${fields.join("; ")})`;
  }
}

/** A client of the engine on this origin; `tokenOf()` gives the current staff token. */
export function createApi(tokenOf) {
  const call = (method, path, body) => request(method, path, body, tokenOf());
  const bookingAction = (id, action, body) =>
    call("POST", `/api/v1/bookings/${encodeURIComponent(id)}/${action}`, body);

  return {
    logIn: (tenantCode, email, password) =>
      request("POST", "/api/v1/auth/login", { tenantCode, email, password }, undefined),
    listCalendars: async () => (await call("GET", "/api/v1/calendars")).data,
    listServices: async () => (await call("GET", "/api/v1/services")).data,
    listHolds: async () => (await call("GET", "/api/v1/holds?limit=100")).data,
    listBookings: (fromMs, toMs) => listEveryBooking(call, fromMs, toMs),
    cancelBooking: (id) => bookingAction(id, "cancel"),
    markNoShow: (id) => bookingAction(id, "no-show"),
    rescheduleBooking: (id, start) => bookingAction(id, "reschedule", { start }),
    /** Any other call of the staff API; resolves to the parsed answer. */
    send: (method, path, body) => call(method, path, body),
    /** Figures per day of the tenant's zone; both dates omitted: the last 30 days. */
    analytics: (from, to) =>
      call("GET", `/api/v1/analytics${from ? `?${new URLSearchParams({ from, to })}` : ""}`),
  };
}

/** Every booking starting in [from, to), following `nextCursor` page by page. */
async function listEveryBooking(call, fromMs, toMs) {
  const bookings = [];
  let cursor = null;
  do {
    const query = new URLSearchParams({
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      limit: "100",
    });
    if (cursor) query.set("cursor", cursor);
    const page = await call("GET", `/api/v1/bookings?${query}`);
    bookings.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return bookings;
}

async function request(method, path, body, token) {
  const headers = { accept: "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";

  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "network_error", "the engine cannot be reached; check the connection");
  }

  const answer = await response.json().catch(() => undefined);
  if (response.ok) return answer;
  const error = answer?.error;
  throw new ApiError(
    response.status,
    error?.code ?? "unexpected_answer",
    error?.message ?? `the engine answered ${response.status}`,
    error?.details,
  );
}
