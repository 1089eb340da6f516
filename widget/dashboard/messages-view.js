// The dashboard's message log: the emails sent (or, without SMTP, only recorded) for the
// tenant, newest first, from GET /api/v1/emails. Like the
// analytics view it replaces the live board while open; the "Messages" button toggles it.

import { createApi } from "./api-client.js";
import { loadSession } from "./session.js";

const page = {
  toggle: document.querySelector('[data-testid="nav-messages"]'),
  board: document.querySelector('[data-testid="dashboard"]'),
  view: document.querySelector('[data-testid="messages"]'),
};

const statusNames = { sent: "sent", failed: "failed", recorded: "recorded (no SMTP)" };

if (page.toggle && page.board && page.view) {
  page.toggle.addEventListener("click", () => {
    if (page.board.dataset.view === "messages") closeMessages();
    else void showMessages();
  });
  // Another view taking the board closes this one.
  new MutationObserver(() => {
    if (page.board.dataset.view !== "messages") closeMessages();
  }).observe(page.board, { attributes: true, attributeFilter: ["data-view"] });
}

function closeMessages() {
  if (page.board.dataset.view === "messages") delete page.board.dataset.view;
  page.view.hidden = true;
  page.toggle.setAttribute("aria-pressed", "false");
}

async function showMessages() {
  page.board.dataset.view = "messages";
  page.view.hidden = false;
  page.toggle.setAttribute("aria-pressed", "true");
  page.view.setAttribute("aria-busy", "true");
  page.view.replaceChildren(element("h2", "Messages"), element("p", "Loading…", "muted"));
  try {
    const session = loadSession();
    if (!session) throw new Error("log in again to see messages");
    const { data } = await createApi(() => session.token).send("GET", "/api/v1/emails?limit=100");
    page.view.replaceChildren(element("h2", "Messages"), messagesTable(data));
  } catch (error) {
    const text =
      error?.status === 403
        ? "Only owners and admins see the message log."
        : String(error?.message ?? error);
    page.view.replaceChildren(element("h2", "Messages"), element("p", text, "muted"));
  } finally {
    page.view.removeAttribute("aria-busy");
  }
}

function messagesTable(messages) {
  if (messages.length === 0) return element("p", "No messages yet.", "muted");
  const table = document.createElement("table");
  table.dataset.testid = "messages-table";
  const head = document.createElement("tr");
  for (const title of ["When", "To", "Subject", "Template", "Status"]) {
    head.append(element("th", title));
  }
  table.append(head);
  for (const message of messages) {
    const row = document.createElement("tr");
    row.dataset.status = message.status;
    row.append(
      element("td", new Date(message.createdAt).toLocaleString()),
      element("td", message.to),
      element("td", message.subject),
      element("td", message.template),
      element("td", statusNames[message.status] ?? message.status),
    );
    if (message.error) row.title = message.error;
    table.append(row);
  }
  return table;
}

/** An element with text content (never HTML: subjects and addresses come from customers). */
function element(tag, text, className) {
  const node = document.createElement(tag);
  node.textContent = text;
  if (className) node.className = className;
  return node;
}
