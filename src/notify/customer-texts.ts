import type { BrandLocale } from "../domain/branding.js";

/** The sentences of customers' booking messages, in one language. */
export interface CustomerTexts {
  hello(name: string): string;
  confirmedSubject(service: string, when: string): string;
  confirmed(business: string, service: string, when: string): string;
  cancelledSubject(service: string, when: string): string;
  cancelled(business: string, service: string, when: string): string;
  reminderSubject(service: string, when: string): string;
  reminder(business: string, service: string, when: string): string;
  manage: string;
  reminderSms(service: string, business: string, when: string): string;
}

/**
 * Customers' messages in the tenant's language (`locale`: English, German or French, as the
 * widget speaks them). Times are formatted in the same language by the caller.
 */
export const customerTexts: Record<BrandLocale, CustomerTexts> = {
  en: {
    hello: (name) => `Hello ${name},`,
    confirmedSubject: (service, when) => `Booking confirmed: ${service}, ${when}`,
    confirmed: (business, service, when) =>
      `your booking with ${business} is confirmed: ${service} on ${when}.`,
    cancelledSubject: (service, when) => `Booking cancelled: ${service}, ${when}`,
    cancelled: (business, service, when) =>
      `your booking with ${business} for ${service} on ${when} has been cancelled.`,
    reminderSubject: (service, when) => `Reminder: ${service}, ${when}`,
    reminder: (business, service, when) =>
      `this is a reminder of your booking with ${business}: ${service} on ${when}.`,
    manage: "View or change your booking",
    reminderSms: (service, business, when) => `Reminder: ${service} with ${business}, ${when}.`,
  },
  de: {
    hello: (name) => `Hallo ${name},`,
    confirmedSubject: (service, when) => `Buchung bestätigt: ${service}, ${when}`,
    confirmed: (business, service, when) =>
      `Ihre Buchung bei ${business} ist bestätigt: ${service} am ${when}.`,
    cancelledSubject: (service, when) => `Buchung storniert: ${service}, ${when}`,
    cancelled: (business, service, when) =>
      `Ihre Buchung bei ${business} für ${service} am ${when} wurde storniert.`,
    reminderSubject: (service, when) => `Erinnerung: ${service}, ${when}`,
    reminder: (business, service, when) =>
      `wir erinnern Sie an Ihre Buchung bei ${business}: ${service} am ${when}.`,
    manage: "Buchung ansehen oder ändern",
    reminderSms: (service, business, when) => `Erinnerung: ${service} bei ${business}, ${when}.`,
  },
  fr: {
    hello: (name) => `Bonjour ${name},`,
    confirmedSubject: (service, when) => `Réservation confirmée : ${service}, ${when}`,
    confirmed: (business, service, when) =>
      `votre réservation chez ${business} est confirmée : ${service} le ${when}.`,
    cancelledSubject: (service, when) => `Réservation annulée : ${service}, ${when}`,
    cancelled: (business, service, when) =>
      `votre réservation chez ${business} pour ${service} le ${when} a été annulée.`,
    reminderSubject: (service, when) => `Rappel : ${service}, ${when}`,
    reminder: (business, service, when) =>
      `nous vous rappelons votre réservation chez ${business} : ${service} le ${when}.`,
    manage: "Voir ou modifier votre réservation",
    reminderSms: (service, business, when) => `Rappel : ${service} chez ${business}, ${when}.`,
  },
};

/** The texts of a locale, English for any other. */
export function textsFor(locale: string | undefined): CustomerTexts {
  return customerTexts[(locale ?? "en") as BrandLocale] ?? customerTexts.en;
}
