// The verification page: posts the token from the link and says how it went.

const status = document.querySelector('[data-testid="verify-status"]');
const token = new URLSearchParams(location.search).get("token");

void confirm(token);

async function confirm(token) {
  if (!token) return show("failed", "This link has no token; open the link from the email again.");
  try {
    const response = await fetch("/api/v1/auth/verify-email", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ token }),
    });
    const answer = await response.json().catch(() => undefined);
    if (response.ok) {
      show("verified", `Thank you: ${answer.user.email} is confirmed.`);
    } else {
      show("failed", answer?.error?.message ?? `The engine answered ${response.status}.`);
    }
  } catch {
    show("failed", "The engine cannot be reached; check the connection and open the link again.");
  }
}

function show(state, text) {
  status.dataset.state = state;
  status.textContent = text;
}
