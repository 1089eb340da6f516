// The platform admin portal: the operator's token, the platform's figures, and every tenant
// with its plan, status and usage, through the engine's /api/v1/admin calls.

const storageKey = "vbwd.admin.token";
const planSlugs = ["starter", "professional", "business", "enterprise"];
/** Answers meaning the token is no good: back to the sign-in form. */
const refusedTokenCodes = ["unauthenticated", "invalid_credentials", "insufficient_scope"];

const page = findPage(document);

page.loginForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const field = page.loginForm.elements.namedItem("token");
  const token = field.value.trim();
  if (!token) return;
  field.value = "";
  sessionStorage.setItem(storageKey, token);
  void openPortal();
});
page.logout.addEventListener("click", () => {
  sessionStorage.removeItem(storageKey);
  showLogin();
});
page.refresh.addEventListener("click", () => void load());

if (sessionStorage.getItem(storageKey)) void openPortal();
else showLogin();

/** A refused call: the engine's `{ error: { code, message } }` and the HTTP status. */
class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function call(method, path, body) {
  const headers = {
    accept: "application/json",
    authorization: `Bearer ${sessionStorage.getItem(storageKey) ?? ""}`,
  };
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
  throw new ApiError(
    response.status,
    answer?.error?.code ?? "unexpected_answer",
    answer?.error?.message ?? `the engine answered ${response.status}`,
  );
}

/** Every tenant, following `nextCursor` a hundred at a time. */
async function listTenants() {
  const tenants = [];
  let cursor = null;
  do {
    const query = new URLSearchParams({ limit: "100" });
    if (cursor) query.set("cursor", cursor);
    const answer = await call("GET", `/api/v1/admin/tenants?${query}`);
    tenants.push(...answer.data);
    cursor = answer.nextCursor;
  } while (cursor);
  return tenants;
}

async function openPortal() {
  hideMessages();
  page.login.hidden = true;
  page.portal.hidden = false;
  page.session.hidden = false;
  await load();
}

/** Loads figures and tenants and draws them; a refused token goes back to sign-in. */
async function load() {
  page.portal.setAttribute("aria-busy", "true");
  try {
    const [metrics, tenants] = await Promise.all([
      call("GET", "/api/v1/admin/metrics"),
      listTenants(),
    ]);
    renderMetrics(metrics);
    renderTenants(tenants);
    page.portal.dataset.loaded = "true";
  } catch (error) {
    report(error);
  } finally {
    page.portal.removeAttribute("aria-busy");
  }
}

/** Changes one tenant (status, plan or both), then reloads what it affects. */
async function updateTenant(code, change, done) {
  hideMessages();
  try {
    const tenant = await call("PATCH", `/api/v1/admin/tenants/${encodeURIComponent(code)}`, change);
    showNotice(`${tenant.code}: ${tenant.plan}, ${tenant.subscriptionStatus}.`);
    await load();
  } catch (error) {
    report(error);
  } finally {
    done();
  }
}

function renderMetrics(metrics) {
  page.mrr.textContent = money(metrics.mrrCents, metrics.currency);
  page.bookingsMonth.textContent = String(metrics.bookingsThisMonth);
  page.byStatus.textContent = describeCounts(metrics.tenantsByStatus);
  page.byPlan.textContent = describeCounts(metrics.tenantsByPlan);
}

function renderTenants(tenants) {
  page.tenants.replaceChildren(...tenants.map(tenantRow));
  page.tenantsEmpty.hidden = tenants.length > 0;
}

function tenantRow(tenant) {
  const row = element("tr", { "data-testid": "tenant-row", "data-code": tenant.code });
  const name = element("td");
  name.append(element("div", {}, tenant.name), element("div", { class: "code" }, tenant.code));
  const status = element(
    "td",
    { class: "status", "data-status": tenant.subscriptionStatus, "data-testid": "tenant-status" },
    tenant.subscriptionStatus,
  );
  row.append(
    name,
    element("td", { "data-testid": "tenant-plan" }, tenant.plan),
    status,
    usageCell(tenant.usage.bookings),
    element("td", {}, String(tenant.usage.users)),
    actionsCell(tenant),
  );
  return row;
}

function usageCell(bookings) {
  const unlimited = bookings.limit < 0;
  const text = `${bookings.used} / ${unlimited ? "unlimited" : bookings.limit}`;
  const full = !unlimited && bookings.used >= bookings.limit;
  return element("td", { class: "usage", "data-testid": "tenant-usage", "data-full": full }, text);
}

function actionsCell(tenant) {
  const cell = element("td");
  const actions = element("div", { class: "actions" });
  const busy = (...controls) => {
    controls.forEach((control) => (control.disabled = true));
    return () => controls.forEach((control) => (control.disabled = false));
  };

  const serving = tenant.subscriptionStatus === "active" || tenant.subscriptionStatus === "trial";
  const toggle = element(
    "button",
    { type: "button", "data-testid": serving ? "suspend" : "reactivate" },
    serving ? "Suspend" : "Reactivate",
  );
  toggle.addEventListener("click", () => {
    const subscriptionStatus = serving ? "suspended" : "active";
    void updateTenant(tenant.code, { subscriptionStatus }, busy(toggle));
  });

  const label = `Plan of ${tenant.code}`;
  const plans = element("select", { "aria-label": label, "data-testid": "plan-select" });
  for (const slug of planSlugs) {
    const option = element("option", { value: slug }, slug);
    option.selected = slug === tenant.plan;
    plans.append(option);
  }
  const apply = element("button", { type: "button", "data-testid": "change-plan" }, "Change plan");
  apply.addEventListener("click", () => {
    if (plans.value === tenant.plan) return;
    void updateTenant(tenant.code, { planSlug: plans.value }, busy(apply, plans));
  });

  actions.append(toggle, plans, apply);
  cell.append(actions);
  return cell;
}

function money(cents, currency) {
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency}`;
  }
}

function describeCounts(counts) {
  const parts = Object.entries(counts).map(([key, n]) => `${key} ${n}`);
  return parts.join(" · ") || "none";
}

function element(tag, attributes = {}, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function report(error) {
  if (refusedTokenCodes.includes(error.code)) {
    sessionStorage.removeItem(storageKey);
    showLogin();
    showError(`The token was refused (${error.code}): ${error.message}`);
    return;
  }
  showError(error.message ?? String(error));
}

function showLogin() {
  page.portal.hidden = true;
  page.session.hidden = true;
  page.login.hidden = false;
  delete page.portal.dataset.loaded;
  page.loginForm.elements.namedItem("token").focus();
}

function showError(message) {
  page.error.textContent = message;
  page.error.hidden = false;
}

function showNotice(message) {
  page.notice.textContent = message;
  page.notice.hidden = false;
}

function hideMessages() {
  page.error.hidden = true;
  page.notice.hidden = true;
}

function findPage(root) {
  const find = (testId) => root.querySelector(`[data-testid="${testId}"]`);
  return {
    login: find("login"),
    loginForm: find("login-form"),
    portal: find("portal"),
    session: find("session"),
    refresh: find("refresh"),
    logout: find("logout"),
    error: find("error"),
    notice: find("notice"),
    mrr: find("mrr"),
    bookingsMonth: find("bookings-month"),
    byStatus: find("by-status"),
    byPlan: find("by-plan"),
    tenants: find("tenants"),
    tenantsEmpty: find("tenants-empty"),
  };
}
