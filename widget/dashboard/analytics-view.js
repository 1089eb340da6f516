// The dashboard's analytics view: bookings, cancellations, revenue and protocols per day, drawn
// as inline SVG bar charts from GET /api/v1/analytics. It wires itself to the page: the
// "Analytics" button in the top bar switches the board between the live view and this one.

import { createApi, ApiError } from "./api-client.js";
import { loadSession } from "./session.js";

const svgNs = "http://www.w3.org/2000/svg";
const protocolNames = {
  rest: "REST",
  graphql: "GraphQL",
  mcp: "MCP",
  agentProtocol: "Agent Protocol",
  a2a: "A2A",
  widget: "Widget",
  webhook: "Webhook",
};

const page = {
  toggle: document.querySelector('[data-testid="nav-analytics"]'),
  board: document.querySelector('[data-testid="dashboard"]'),
  view: document.querySelector('[data-testid="analytics"]'),
  logout: document.querySelector('[data-testid="logout"]'),
};

if (page.toggle && page.board && page.view) {
  page.toggle.addEventListener("click", () => {
    if (page.board.dataset.view === "analytics") showBoard();
    else void showAnalytics();
  });
  page.logout?.addEventListener("click", showBoard);
}

function showBoard() {
  delete page.board.dataset.view;
  page.view.hidden = true;
  page.toggle.textContent = "Analytics";
  page.toggle.setAttribute("aria-pressed", "false");
}

async function showAnalytics(days = 30) {
  page.board.dataset.view = "analytics";
  page.view.hidden = false;
  page.toggle.textContent = "Live board";
  page.toggle.setAttribute("aria-pressed", "true");
  page.view.setAttribute("aria-busy", "true");
  page.view.replaceChildren(heading("Analytics"), paragraph("Loading…", "muted"));
  try {
    const answer = await fetchAnalytics(days);
    page.view.replaceChildren(...renderAnalytics(answer, days));
  } catch (error) {
    page.view.replaceChildren(heading("Analytics"), refusal(error));
  } finally {
    page.view.removeAttribute("aria-busy");
  }
}

/** The last `days` days ending today in the tenant's zone (the engine's default is 30). */
async function fetchAnalytics(days) {
  const session = loadSession();
  if (!session) throw new ApiError(401, "unauthenticated", "log in again to see analytics");
  const api = createApi(() => session.token);
  const latest = await api.analytics();
  if (days === 30) return latest;
  const from = new Date(`${latest.to}T00:00:00Z`);
  from.setUTCDate(from.getUTCDate() - (days - 1));
  return api.analytics(from.toISOString().slice(0, 10), latest.to);
}

function renderAnalytics(answer, days) {
  const { totals } = answer;
  const currency = mainCurrency(totals.revenueCents);
  const revenueOf = (day) => (currency ? (day.revenueCents[currency] ?? 0) : 0);
  return [
    heading("Analytics"),
    rangePicker(days),
    paragraph(`${answer.from} to ${answer.to}, days in ${answer.timezone}.`, "muted"),
    summary(totals, currency),
    chart(
      "Bookings and cancellations per day",
      answer.days.map((day) => ({
        label: day.date,
        values: [day.bookings, day.cancellations],
      })),
      ["Bookings", "Cancellations"],
      "bookings-chart",
    ),
    chart(
      `Revenue per day${currency ? ` (${currency})` : ""}`,
      answer.days.map((day) => ({ label: day.date, values: [revenueOf(day) / 100] })),
      ["Revenue"],
      "revenue-chart",
    ),
    protocolChart(totals),
  ];
}

function rangePicker(days) {
  const label = document.createElement("label");
  label.className = "analytics-range";
  label.append("Show ");
  const select = document.createElement("select");
  select.dataset.testid = "analytics-range";
  for (const n of [7, 30, 90, 365]) {
    const option = new Option(`the last ${n} days`, String(n), false, n === days);
    select.append(option);
  }
  select.addEventListener("change", () => void showAnalytics(Number(select.value)));
  label.append(select);
  return label;
}

function summary(totals, currency) {
  const list = document.createElement("dl");
  list.className = "counters";
  const revenue = currency ? money(totals.revenueCents[currency], currency) : "none";
  const figures = [
    ["Bookings", totals.bookings, "total-bookings"],
    ["Cancellations", totals.cancellations, "total-cancellations"],
    ["No-shows", totals.noShows, "total-no-shows"],
    ["Revenue", revenue, "total-revenue"],
  ];
  for (const [name, value, testId] of figures) {
    const item = document.createElement("div");
    const term = document.createElement("dt");
    term.textContent = name;
    const figure = document.createElement("dd");
    figure.dataset.testid = testId;
    figure.textContent = String(value);
    item.append(term, figure);
    list.append(item);
  }
  return list;
}

/** A vertical bar chart: one group of bars per day, one bar per series. */
function chart(title, groups, series, testId) {
  const width = 720;
  const height = 180;
  const top = 12;
  const bottom = 24;
  const max = Math.max(1, ...groups.flatMap((group) => group.values));
  const slot = width / Math.max(1, groups.length);
  const barWidth = Math.max(1, (slot * 0.8) / series.length);

  const svg = svgElement("svg", {
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-label": `${title}; highest ${formatNumber(max)}`,
    "data-testid": testId,
    class: "chart",
  });
  svg.append(
    svgElement("line", {
      x1: 0,
      y1: height - bottom,
      x2: width,
      y2: height - bottom,
      class: "axis",
    }),
  );
  groups.forEach((group, index) => {
    group.values.forEach((value, k) => {
      const barHeight = ((height - top - bottom) * value) / max;
      const bar = svgElement("rect", {
        x: index * slot + slot * 0.1 + k * barWidth,
        y: height - bottom - barHeight,
        width: barWidth,
        height: barHeight,
        class: `bar series-${k}`,
        "data-date": group.label,
        "data-value": value,
      });
      const tip = svgElement("title");
      tip.textContent = `${group.label}: ${series[k]} ${formatNumber(value)}`;
      bar.append(tip);
      svg.append(bar);
    });
  });
  labelEnds(svg, groups, width, height);
  if (groups.every((group) => group.values.every((value) => value === 0))) {
    const empty = svgElement("text", { x: width / 2, y: height / 2, class: "label middle" });
    empty.textContent = "Nothing in this period";
    svg.append(empty);
  }
  return figure(title, svg, series);
}

/** Horizontal bars: bookings per protocol, with the API requests next to each. */
function protocolChart(totals) {
  const keys = Object.keys(protocolNames);
  const rowHeight = 26;
  const width = 720;
  const labelWidth = 130;
  const height = keys.length * rowHeight + 8;
  const maxBookings = Math.max(1, ...keys.map((key) => totals.protocols[key]));
  const svg = svgElement("svg", {
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-label": "Bookings per protocol",
    "data-testid": "protocol-chart",
    class: "chart",
  });
  keys.forEach((key, index) => {
    const y = index * rowHeight + 4;
    const count = totals.protocols[key];
    const label = svgElement("text", { x: 0, y: y + 15, class: "label" });
    label.textContent = protocolNames[key];
    const barWidth = ((width - labelWidth - 170) * count) / maxBookings;
    const bar = svgElement("rect", {
      x: labelWidth,
      y,
      width: barWidth,
      height: rowHeight - 8,
      class: "bar series-0",
      "data-protocol": key,
      "data-value": count,
    });
    const figures = svgElement("text", { x: labelWidth + barWidth + 6, y: y + 15, class: "label" });
    figures.textContent = `${plural(count, "booking")} · ${plural(totals.requests[key], "request")}`;
    svg.append(label, bar, figures);
  });
  return figure("Protocols", svg, ["Bookings"]);
}

function labelEnds(svg, groups, width, height) {
  if (groups.length === 0) return;
  const first = svgElement("text", { x: 0, y: height - 6, class: "label" });
  first.textContent = groups[0].label;
  const last = svgElement("text", { x: width, y: height - 6, class: "label end" });
  last.textContent = groups.at(-1).label;
  svg.append(first, last);
}

function figure(title, svg, series) {
  const wrapper = document.createElement("figure");
  wrapper.className = "analytics-chart";
  const caption = document.createElement("figcaption");
  caption.textContent = title;
  const legend = document.createElement("ul");
  legend.className = "legend";
  series.forEach((name, k) => {
    const item = document.createElement("li");
    item.className = `series-${k}`;
    item.textContent = name;
    legend.append(item);
  });
  wrapper.append(caption, svg, legend);
  return wrapper;
}

function refusal(error) {
  if (error.code === "feature_not_in_plan" || error.status === 403) {
    const text =
      error.code === "feature_not_in_plan"
        ? `Analytics is not in your plan: ${error.message}.`
        : `Analytics is not open to you: ${error.message}.`;
    const note = paragraph(text, "alert");
    note.dataset.testid = "analytics-not-in-plan";
    return note;
  }
  const note = paragraph(
    `Analytics could not be loaded: ${error.describe?.() ?? error.message}`,
    "alert",
  );
  note.dataset.testid = "analytics-error";
  return note;
}

/** The currency with the most revenue, if any. */
function mainCurrency(revenueCents) {
  const entries = Object.entries(revenueCents).sort((a, b) => b[1] - a[1]);
  return entries[0]?.[0];
}

function money(cents, currency) {
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency}`;
  }
}

function plural(n, noun) {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function formatNumber(value) {
  return new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(value);
}

function svgElement(tag, attributes = {}) {
  const node = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

function heading(text) {
  const node = document.createElement("h2");
  node.textContent = text;
  return node;
}

function paragraph(text, className) {
  const node = document.createElement("p");
  node.textContent = text;
  if (className) node.className = className;
  return node;
}
