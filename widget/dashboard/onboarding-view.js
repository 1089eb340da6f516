// The dashboard's onboarding wizard: business type → first calendar with its weekly hours →
// first service → the widget's embed snippet, or sample data in one click. It wires itself
// to the page: it opens by itself once the board has loaded for a tenant without calendars,
// and from the "Set up" button. Once the board loads it also applies the tenant's branding
// (its primary colour) and shows a banner while the staff member's email is unverified.

import { createApi } from "./api-client.js";
import { loadSession } from "./session.js";

const weekdays = [
  ["mon", "Mon"],
  ["tue", "Tue"],
  ["wed", "Wed"],
  ["thu", "Thu"],
  ["fri", "Fri"],
  ["sat", "Sat"],
  ["sun", "Sun"],
];

/** What the wizard suggests for each business type: a calendar and a first service. */
const suggestions = {
  medical: {
    label: "Medical practice",
    calendar: "Dr. Example",
    service: "Consultation",
    minutes: 30,
  },
  legal: { label: "Law firm", calendar: "Attorney", service: "Initial consultation", minutes: 60 },
  education: { label: "School or tutor", calendar: "Tutor", service: "Lesson", minutes: 60 },
  consulting: { label: "Consultancy", calendar: "Consultant", service: "Call", minutes: 45 },
  venue: { label: "Venue or room", calendar: "Main room", service: "Room hire", minutes: 120 },
  other: { label: "Something else", calendar: "Team", service: "Appointment", minutes: 30 },
};

const page = {
  toggle: document.querySelector('[data-testid="nav-onboarding"]'),
  board: document.querySelector('[data-testid="dashboard"]'),
  view: document.querySelector('[data-testid="onboarding"]'),
  logout: document.querySelector('[data-testid="logout"]'),
};

/** The wizard's progress for the current session. */
let wizard;

if (page.toggle && page.board && page.view) {
  page.toggle.addEventListener("click", () => {
    if (page.board.dataset.view === "onboarding") closeWizard();
    else void openWizard();
  });
  page.logout?.addEventListener("click", () => {
    closeWizard();
    document.querySelector('[data-testid="verify-banner"]')?.remove();
  });
  new MutationObserver(() => {
    if (page.board.dataset.loaded === "true") void onBoardLoaded();
  }).observe(page.board, { attributes: true, attributeFilter: ["data-loaded"] });
}

/** The session's API client; undefined when logged out. */
function sessionApi() {
  const session = loadSession();
  return session ? { session, api: createApi(() => session.token) } : undefined;
}

/** Once per login: branding, the verification banner, and the wizard for an empty account. */
async function onBoardLoaded() {
  const current = sessionApi();
  if (!current || page.board.dataset.onboardingChecked === current.session.token) return;
  page.board.dataset.onboardingChecked = current.session.token;
  applyBranding(current.session.tenantCode);
  try {
    const [me, calendars] = await Promise.all([
      current.api.send("GET", "/api/v1/auth/me"),
      current.api.listCalendars(),
    ]);
    if (!me.user.emailVerified) showVerificationBanner(current.api, me.user.email);
    // Opened by itself only over the live board, never over another view the user chose.
    if (calendars.length === 0 && !page.board.dataset.view) {
      await openWizard(me.tenant.businessType);
    }
  } catch {
    // The board reports its own failures; the wizard stays reachable from its button.
  }
}

/** Loads the tenant's branding stylesheet, whose `--vbwd-primary` the dashboard's accent uses. */
function applyBranding(tenantCode) {
  const href = `/v1/widget/${encodeURIComponent(tenantCode)}/branding.css`;
  let link = document.querySelector('link[data-testid="branding-css"]');
  if (!link) {
    link = element("link", { rel: "stylesheet", "data-testid": "branding-css" });
    document.head.append(link);
  }
  if (link.getAttribute("href") !== href) link.setAttribute("href", href);
}

function showVerificationBanner(api, email) {
  if (document.querySelector('[data-testid="verify-banner"]')) return;
  const resend = element("button", { type: "button" }, "Send the link again");
  const banner = element(
    "p",
    { class: "verify-banner", role: "status", "data-testid": "verify-banner" },
    `Please confirm ${email}: open the link we emailed you. `,
    resend,
  );
  resend.addEventListener("click", async () => {
    resend.disabled = true;
    try {
      const answer = await api.send("POST", "/api/v1/auth/resend-verification");
      resend.replaceWith(answer.sent ? "A new link is on its way." : "Your email is confirmed.");
    } catch (error) {
      resend.disabled = false;
      resend.replaceWith(error.describe?.() ?? error.message);
    }
  });
  document.querySelector("main")?.before(banner);
}

async function openWizard(businessType) {
  const current = sessionApi();
  if (!current) return;
  if (!businessType) {
    businessType = (await current.api.send("GET", "/api/v1/tenant").catch(() => ({}))).businessType;
  }
  wizard = { api: current.api, session: current.session, businessType: businessType ?? "other" };
  page.board.dataset.view = "onboarding";
  page.view.hidden = false;
  page.toggle.setAttribute("aria-pressed", "true");
  showBusinessStep();
}

function closeWizard() {
  wizard = undefined;
  if (page.board.dataset.view === "onboarding") delete page.board.dataset.view;
  page.view.hidden = true;
  page.view.replaceChildren();
  page.toggle?.setAttribute("aria-pressed", "false");
}

function showBusinessStep() {
  const select = element("select", { name: "businessType", "data-testid": "business-type" });
  for (const [value, suggestion] of Object.entries(suggestions)) {
    const option = element("option", { value }, suggestion.label);
    option.selected = value === wizard.businessType;
    select.append(option);
  }
  const demo = element(
    "button",
    { type: "button", "data-testid": "load-demo" },
    "Load demo data instead",
  );
  demo.addEventListener("click", () => void loadDemoData(demo));
  const form = stepForm(
    "What kind of business is this?",
    1,
    [labelled("Business type", select)],
    "Next",
    () => {
      wizard.businessType = select.value;
      showCalendarStep();
    },
  );
  form.append(
    element("p", { class: "muted" }, "Or fill the account with a sample calendar and bookings:"),
    demo,
  );
  show(form);
}

function showCalendarStep() {
  const suggestion = suggestions[wizard.businessType] ?? suggestions.other;
  const name = input("name", suggestion.calendar, { required: "" });
  const timezone = input("timezone", Intl.DateTimeFormat().resolvedOptions().timeZone, {
    required: "",
  });
  const opens = input("opens", "09:00", { type: "time", step: "300", required: "" });
  const closes = input("closes", "17:00", { type: "time", step: "300", required: "" });
  const days = element("fieldset", { class: "weekdays" }, element("legend", {}, "Open on"));
  for (const [day, label] of weekdays) {
    const box = element("input", { type: "checkbox", name: "day", value: day });
    box.checked = !["sat", "sun"].includes(day);
    days.append(element("label", {}, box, ` ${label}`));
  }
  const fields = [
    labelled("Calendar name (a person, a room)", name),
    labelled("Time zone", timezone),
    days,
    labelled("Opens", opens),
    labelled("Closes", closes),
  ];
  show(
    stepForm("Your first calendar", 2, fields, "Create calendar", async () => {
      const open = [...days.querySelectorAll("input:checked")].map((box) => box.value);
      const weeklyHours = Object.fromEntries(
        open.map((day) => [day, [[opens.value, closes.value]]]),
      );
      const calendar = await wizard.api.send("POST", "/api/v1/calendars", {
        name: name.value.trim(),
        timezone: timezone.value.trim(),
        weeklyHours,
      });
      wizard.calendarId = calendar.id;
      showServiceStep();
    }),
  );
}

function showServiceStep() {
  const suggestion = suggestions[wizard.businessType] ?? suggestions.other;
  const name = input("name", suggestion.service, { required: "" });
  const minutes = input("durationMinutes", String(suggestion.minutes), {
    type: "number",
    min: "5",
    step: "5",
    required: "",
  });
  const price = input("price", "0", { type: "number", min: "0", step: "0.01", required: "" });
  const fields = [
    labelled("Service name", name),
    labelled("Length in minutes", minutes),
    labelled("Price (EUR)", price),
  ];
  show(
    stepForm("Your first service", 3, fields, "Create service", async () => {
      await wizard.api.send("POST", "/api/v1/services", {
        calendarIds: [wizard.calendarId],
        name: name.value.trim(),
        durationMinutes: Number(minutes.value),
        priceCents: Math.round(Number(price.value) * 100),
        currency: "EUR",
      });
      await showEmbedStep();
    }),
  );
}

async function loadDemoData(button) {
  button.disabled = true;
  try {
    await wizard.api.send("POST", "/api/v1/tenant/demo-data");
    await showEmbedStep("Demo data loaded: a sample calendar, service and a few bookings.");
  } catch (error) {
    button.disabled = false;
    showProblem(error);
  }
}

/** Makes a publishable key for the website and shows the snippet that embeds the widget. */
async function showEmbedStep(note) {
  const key = await wizard.api.send("POST", "/api/v1/keys", {
    kind: "publishable",
    name: "Website widget",
  });
  const snippet = embedSnippet(wizard.session.tenantCode, key.key, location.origin);
  const done = element("button", { type: "button", "data-testid": "onboarding-done" }, "Done");
  done.addEventListener("click", closeWizard);
  const copy = element("button", { type: "button" }, "Copy");
  copy.addEventListener("click", () => void navigator.clipboard?.writeText(snippet));
  show(
    element(
      "div",
      { class: "onboarding-step", "data-step": "embed" },
      element("h2", {}, "Step 4 of 4: put the booking widget on your website"),
      note ? element("p", { "data-testid": "onboarding-note" }, note) : "",
      element("p", {}, "Paste this where the booking form should appear:"),
      element("pre", { "data-testid": "embed-snippet" }, element("code", {}, snippet)),
      element("p", { class: "muted" }, "The key is shown once; keep the snippet."),
      copy,
      " ",
      done,
    ),
  );
}

/** The HTML a tenant pastes into its site; values go in as JSON strings. */
function embedSnippet(tenantCode, publishableKey, baseUrl) {
  return [
    '<div id="vbwd-booking"></div>',
    `<script src="${baseUrl}/widget/v1/vbwd-widget.js"></script>`,
    "<script>",
    "  VBWDWidget.init({",
    `    tenantId: ${JSON.stringify(tenantCode)},`,
    `    apiKey: ${JSON.stringify(publishableKey)},`,
    '    container: "#vbwd-booking",',
    `    baseUrl: ${JSON.stringify(baseUrl)},`,
    "  });",
    "</script>",
  ].join("\n");
}

/** A step's form: heading, fields, a submit button whose refusals are shown in place. */
function stepForm(title, number, fields, submitLabel, submit) {
  const button = element("button", { type: "submit" }, submitLabel);
  const form = element(
    "form",
    { class: "onboarding-step", "data-step": String(number) },
    element("h2", {}, `Step ${number} of 4: ${title}`),
    ...fields,
    button,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    try {
      await submit();
    } catch (error) {
      showProblem(error);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

function show(step) {
  page.view.replaceChildren(element("p", { class: "alert", role: "alert", hidden: "" }), step);
  step.querySelector("input, select, button")?.focus();
}

function showProblem(error) {
  const alert = page.view.querySelector('[role="alert"]');
  alert.textContent = error.describe?.() ?? error.message ?? String(error);
  alert.hidden = false;
}

function input(name, value, attributes = {}) {
  const field = element("input", { name, ...attributes });
  field.value = value;
  return field;
}

function labelled(text, field) {
  return element("label", {}, text, field);
}

/** An element with attributes and children (text is set as text, never parsed as HTML). */
function element(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}
