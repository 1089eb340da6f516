import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  bookingCancelledMessage,
  bookingConfirmedMessage,
  bookingReminderMessage,
  bookingReminderSms,
  type EmailBrand,
} from "../../src/notify/email-templates.js";

const brand: EmailBrand = {
  name: "Praxis Dr. Roth",
  primaryColor: "#0b6e4f",
  secondaryColor: "#10b981",
  logoUrl: null,
  fontFamily: "Helvetica, Arial, sans-serif",
};

const booking = {
  customerName: "Zoë",
  serviceName: "Beratung",
  // 09:30 in Berlin in winter.
  startIso: "2027-01-12T08:30:00.000Z",
  timezone: "Europe/Berlin",
  manageLink: "https://praxis.example/#vbwd-manage=x",
};

test("a German tenant's customers read German, with German dates", () => {
  const confirmed = bookingConfirmedMessage(brand, { ...booking, locale: "de" });
  assert.is(confirmed.subject, "Buchung bestätigt: Beratung, Dienstag 12 Januar 2027, 09:30 MEZ");
  assert.match(confirmed.text, /^Hallo Zoë,\nIhre Buchung bei Praxis Dr\. Roth ist bestätigt/);
  assert.match(confirmed.text, "Buchung ansehen oder ändern: https://praxis.example/");
  assert.match(confirmed.html, "Buchung ansehen oder ändern");
  const cancelled = bookingCancelledMessage(brand, { ...booking, locale: "de" });
  assert.match(cancelled.text, "wurde storniert");
  assert.not.match(cancelled.text, "ändern", "a cancelled booking offers no change");
  assert.is(
    bookingReminderSms(brand.name, { ...booking, locale: "de" }),
    "Erinnerung: Beratung bei Praxis Dr. Roth, Di 12 Jan, 09:30.",
  );
});

test("French and English read their own; an unknown locale falls back to English", () => {
  const french = bookingReminderMessage(brand, { ...booking, locale: "fr" });
  assert.match(french.subject, /^Rappel : Beratung, mardi 12 janvier 2027, 09:30/);
  assert.match(french.text, /^Bonjour Zoë,\nnous vous rappelons/);
  const english = bookingConfirmedMessage(brand, { ...booking, locale: "en" });
  assert.match(english.subject, /^Booking confirmed: Beratung, Tuesday 12 January 2027, 09:30/);
  const other = bookingConfirmedMessage(brand, { ...booking, locale: "pt" });
  assert.is(other.subject, english.subject);
  assert.is(other.text, english.text);
});

test("customer names are escaped in the HTML part", () => {
  const html = bookingConfirmedMessage(brand, {
    ...booking,
    customerName: '<img src=x onerror="alert(1)">',
  }).html;
  assert.not.match(html, "<img src=x");
  assert.match(html, "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
});

test.run();
