import { DateTime } from "luxon";
import { fontFamilyPattern, hexColorPattern } from "../domain/branding.js";
import { customerTexts, textsFor } from "./customer-texts.js";
import type { Tenant } from "../store/entities/index.js";

/** The messages the engine sends, by template name. */
export const emailTemplates = [
  "verify-email",
  "booking-confirmed",
  "booking-cancelled",
  "webhook-disabled",
  "booking-reminder",
] as const;
export type EmailTemplate = (typeof emailTemplates)[number];

/** A message made from a template: its subject, plain text and HTML. */
export interface RenderedEmail {
  template: EmailTemplate;
  subject: string;
  text: string;
  html: string;
}

/** The sender's look in a message; every field is checked again before it is used. */
export interface EmailBrand {
  name: string;
  primaryColor: string;
  secondaryColor: string;
  logoUrl: string | null;
  fontFamily: string;
}

const defaultBrand = {
  primaryColor: "#2563eb",
  secondaryColor: "#10b981",
  fontFamily: "Helvetica, Arial, sans-serif",
};

/** The tenant's branding for its messages, with defaults for what it has not set. */
export function brandOf(tenant: Tenant): EmailBrand {
  return {
    name: tenant.name,
    primaryColor: safeColor(tenant.primaryColor, defaultBrand.primaryColor),
    secondaryColor: safeColor(tenant.secondaryColor, defaultBrand.secondaryColor),
    logoUrl: safeImageUrl(tenant.logoUrl),
    fontFamily:
      tenant.fontFamily && fontFamilyPattern.test(tenant.fontFamily)
        ? tenant.fontFamily
        : defaultBrand.fontFamily,
  };
}

/** The message asking a new staff member to confirm their address. */
export function verifyEmailMessage(
  brand: EmailBrand,
  input: { link: string; validHours: number },
): RenderedEmail {
  const subject = `Confirm your email address for ${brand.name}`;
  const lines = [
    `Welcome to ${brand.name} on VBWD.`,
    "Please confirm your email address by opening this link:",
  ];
  const after = [`The link works for ${input.validHours} hours.`];
  return {
    template: "verify-email",
    subject,
    text: [...lines, input.link, "", ...after].join("\n"),
    html: layout(
      brand,
      subject,
      lines,
      { label: "Confirm email address", href: input.link },
      after,
    ),
  };
}

/** What a booking message says about the booking. */
export interface BookingSummary {
  customerName: string;
  serviceName: string;
  startIso: string;
  timezone: string;
  /** The tenant's language for customers (`en`, `de`, `fr`); English when absent or other. */
  locale?: string | undefined;
  /** Where the customer can see, cancel or move the booking; absent when they cannot. */
  manageLink?: string | undefined;
}

/** The confirmation a customer receives for a new booking. */
export function bookingConfirmedMessage(brand: EmailBrand, booking: BookingSummary): RenderedEmail {
  const t = textsFor(booking.locale);
  const when = formatStart(booking.startIso, booking.timezone, booking.locale);
  return customerMessage(brand, booking, "booking-confirmed", {
    subject: t.confirmedSubject(booking.serviceName, when),
    line: t.confirmed(brand.name, booking.serviceName, when),
  });
}

/** The notice a customer receives when their booking is cancelled. */
export function bookingCancelledMessage(brand: EmailBrand, booking: BookingSummary): RenderedEmail {
  const t = textsFor(booking.locale);
  const when = formatStart(booking.startIso, booking.timezone, booking.locale);
  return customerMessage(brand, { ...booking, manageLink: undefined }, "booking-cancelled", {
    subject: t.cancelledSubject(booking.serviceName, when),
    line: t.cancelled(brand.name, booking.serviceName, when),
  });
}

/** The reminder a customer receives some time before their booking. */
export function bookingReminderMessage(brand: EmailBrand, booking: BookingSummary): RenderedEmail {
  const t = textsFor(booking.locale);
  const when = formatStart(booking.startIso, booking.timezone, booking.locale);
  return customerMessage(brand, booking, "booking-reminder", {
    subject: t.reminderSubject(booking.serviceName, when),
    line: t.reminder(brand.name, booking.serviceName, when),
  });
}

/** A customer's message: greeting, one sentence, and the manage link when there is one. */
function customerMessage(
  brand: EmailBrand,
  booking: BookingSummary,
  template: EmailTemplate,
  words: { subject: string; line: string },
): RenderedEmail {
  const t = textsFor(booking.locale);
  const lines = [t.hello(booking.customerName), words.line];
  const action = booking.manageLink ? { label: t.manage, href: booking.manageLink } : undefined;
  const text = action ? [...lines, "", `${action.label}: ${action.href}`] : lines;
  return {
    template,
    subject: words.subject,
    text: text.join("\n"),
    html: layout(brand, words.subject, lines, action, []),
  };
}

/** The text message reminding a customer of their booking (one SMS segment where it can). */
export function bookingReminderSms(brandName: string, booking: BookingSummary): string {
  const start = DateTime.fromISO(booking.startIso, { zone: booking.timezone }).setLocale(
    textsLocale(booking.locale),
  );
  const when = start.isValid ? start.toFormat("ccc d LLL, HH:mm") : booking.startIso;
  return textsFor(booking.locale).reminderSms(booking.serviceName, brandName, when);
}

/** The message telling a tenant that one of its webhook endpoints was turned off. */
export function webhookDisabledMessage(
  brand: EmailBrand,
  input: { url: string; reason: string; dashboardLink: string },
): RenderedEmail {
  const subject = `A webhook endpoint of ${brand.name} was turned off`;
  const lines = [
    `VBWD stopped sending events to ${input.url}.`,
    `Reason: ${input.reason}`,
    "Fix the endpoint, turn it on again, and replay the failed deliveries from the delivery log.",
  ];
  return {
    template: "webhook-disabled",
    subject,
    text: [...lines, input.dashboardLink].join("\n"),
    html: layout(
      brand,
      subject,
      lines,
      { label: "Open the dashboard", href: input.dashboardLink },
      [],
    ),
  };
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => htmlEntities[char]!);
}

const htmlEntities: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** One branded page: logo or name, paragraphs, an optional button, closing paragraphs. */
function layout(
  brand: EmailBrand,
  title: string,
  paragraphs: string[],
  action: { label: string; href: string } | undefined,
  after: string[],
): string {
  const font = escapeHtml(brand.fontFamily);
  const header = brand.logoUrl
    ? `<img src="${escapeHtml(brand.logoUrl)}" alt="${escapeHtml(brand.name)}" style="max-height:48px">`
    : `<strong style="font-size:20px;color:${brand.primaryColor}">${escapeHtml(brand.name)}</strong>`;
  const button = action
    ? `<p><a href="${escapeHtml(action.href)}" style="display:inline-block;padding:10px 18px;border-radius:6px;background:${brand.primaryColor};color:#ffffff;text-decoration:none">${escapeHtml(action.label)}</a></p>`
    : "";
  const paragraph = (line: string) => `<p>${escapeHtml(line)}</p>`;
  return [
    "<!doctype html>",
    `<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>`,
    `<body style="margin:0;padding:24px;font-family:${font};color:#1f2937">`,
    `<div style="max-width:560px;margin:0 auto;border-top:4px solid ${brand.secondaryColor};padding-top:16px">`,
    `<div>${header}</div>`,
    ...paragraphs.map(paragraph),
    button,
    ...after.map(paragraph),
    "</div></body></html>",
  ].join("\n");
}

function formatStart(iso: string, timezone: string, locale?: string): string {
  const start = DateTime.fromISO(iso, { zone: timezone }).setLocale(textsLocale(locale));
  return start.isValid ? start.toFormat("cccc d LLLL yyyy, HH:mm ZZZZ") : iso;
}

/** The locale messages are written in: the tenant's when there are texts for it. */
function textsLocale(locale: string | undefined): string {
  return locale && locale in customerTexts ? locale : "en";
}

function safeColor(value: string | null, fallback: string): string {
  return value && hexColorPattern.test(value) ? value.toLowerCase() : fallback;
}

/** Only http(s) logos: mail clients block `data:` images and other schemes are unsafe. */
function safeImageUrl(value: string | null): string | null {
  if (!value) return null;
  try {
    return ["http:", "https:"].includes(new URL(value).protocol) ? value : null;
  } catch {
    return null;
  }
}
