// Embeds the booking widget for the demo tenant. The settings (tenant code, publishable key,
// engine address) come from the engine, which reads them from its demo credentials file.
const settingsUrl = "/demo/clinic/settings.json";
const status = document.getElementById("booking-status");
const bookedNote = document.getElementById("booked-note");

/** Shows a line above the widget; an empty text hides it. */
function say(text) {
  status.textContent = text;
  status.hidden = text === "";
}

async function loadSettings() {
  const response = await fetch(settingsUrl, { headers: { accept: "application/json" } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error?.message ?? `settings answered ${response.status}`);
  return body;
}

function describeBooking(booking) {
  const when = new Date(booking.start).toLocaleString(undefined, {
    dateStyle: "full",
    timeStyle: "short",
  });
  return `Thank you: your consultation on ${when} is booked (reference ${booking.id}).`;
}

async function embedWidget() {
  if (!window.VBWDWidget) {
    say("The booking calendar could not be loaded. Please call us instead.");
    return;
  }
  try {
    const settings = await loadSettings();
    window.VBWDWidget.init({
      ...settings,
      container: "#booking",
      theme: { primaryColor: "#0b5f73", borderRadius: "10px" },
      onReady: () => say(""),
      onBook: (booking) => {
        bookedNote.textContent = describeBooking(booking);
        bookedNote.hidden = false;
      },
      onError: (error) => say(`Booking is unavailable just now: ${error.message}`),
    });
  } catch (error) {
    say(`Booking is unavailable just now: ${error.message}`);
  }
}

void embedWidget();
