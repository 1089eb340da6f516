/** Every string the widget shows, per language; `{name}` marks a value filled in at run time. */
const english = {
  loading: "Loading…",
  chooseService: "Choose a service",
  chooseDay: "Choose a day",
  chooseTime: "Choose a time",
  previousMonth: "Previous month",
  nextMonth: "Next month",
  noDays: "No free days this month.",
  noTimes: "No free times on this day.",
  timeZone: "Time zone",
  times: "Free times",
  back: "Back",
  minutes: "{n} min",
  heldFor: "Held for you for {time}",
  holdExpired: "Your hold ran out. Please choose a time again.",
  slotTaken: "That time was just taken.",
  nearestFree: "Nearest free times:",
  yourDetails: "Your details",
  name: "Name",
  email: "Email",
  phone: "Phone (optional)",
  book: "Book",
  booking: "Booking…",
  nameRequired: "Please enter your name.",
  emailInvalid: "Please enter a valid email address.",
  phoneInvalid: "Please enter a valid phone number.",
  booked: "You are booked",
  bookedFor: "{service} on {when}",
  reference: "Reference: {id}",
  addToCalendar: "Add to calendar (.ics)",
  bookAgain: "Book another time",
  openWidget: "Book an appointment",
  close: "Close",
  failed: "Something went wrong: {message}",
  retry: "Try again",
  available: "available",
  unavailable: "unavailable",
  today: "today",
};

/** A message's key. */
export type MessageKey = keyof typeof english;
type MessageTable = Record<MessageKey, string>;

const german: MessageTable = {
  loading: "Wird geladen…",
  chooseService: "Leistung wählen",
  chooseDay: "Tag wählen",
  chooseTime: "Uhrzeit wählen",
  previousMonth: "Vorheriger Monat",
  nextMonth: "Nächster Monat",
  noDays: "In diesem Monat sind keine Tage frei.",
  noTimes: "An diesem Tag sind keine Zeiten frei.",
  timeZone: "Zeitzone",
  times: "Freie Zeiten",
  back: "Zurück",
  minutes: "{n} Min.",
  heldFor: "Für Sie reserviert: noch {time}",
  holdExpired: "Ihre Reservierung ist abgelaufen. Bitte wählen Sie erneut eine Uhrzeit.",
  slotTaken: "Diese Zeit wurde gerade vergeben.",
  nearestFree: "Nächste freie Zeiten:",
  yourDetails: "Ihre Angaben",
  name: "Name",
  email: "E-Mail",
  phone: "Telefon (optional)",
  book: "Verbindlich buchen",
  booking: "Wird gebucht…",
  nameRequired: "Bitte geben Sie Ihren Namen ein.",
  emailInvalid: "Bitte geben Sie eine gültige E-Mail-Adresse ein.",
  phoneInvalid: "Bitte geben Sie eine gültige Telefonnummer ein.",
  booked: "Ihr Termin ist gebucht",
  bookedFor: "{service} am {when}",
  reference: "Buchungsnummer: {id}",
  addToCalendar: "Zum Kalender hinzufügen (.ics)",
  bookAgain: "Weiteren Termin buchen",
  openWidget: "Termin buchen",
  close: "Schließen",
  failed: "Etwas ist schiefgegangen: {message}",
  retry: "Erneut versuchen",
  available: "frei",
  unavailable: "nicht verfügbar",
  today: "heute",
};

const french: MessageTable = {
  loading: "Chargement…",
  chooseService: "Choisissez une prestation",
  chooseDay: "Choisissez un jour",
  chooseTime: "Choisissez un horaire",
  previousMonth: "Mois précédent",
  nextMonth: "Mois suivant",
  noDays: "Aucun jour libre ce mois-ci.",
  noTimes: "Aucun horaire libre ce jour-là.",
  timeZone: "Fuseau horaire",
  times: "Horaires libres",
  back: "Retour",
  minutes: "{n} min",
  heldFor: "Réservé pour vous encore {time}",
  holdExpired: "Votre réservation provisoire a expiré. Choisissez de nouveau un horaire.",
  slotTaken: "Cet horaire vient d’être pris.",
  nearestFree: "Horaires libres les plus proches :",
  yourDetails: "Vos coordonnées",
  name: "Nom",
  email: "E-mail",
  phone: "Téléphone (facultatif)",
  book: "Réserver",
  booking: "Réservation…",
  nameRequired: "Veuillez indiquer votre nom.",
  emailInvalid: "Veuillez indiquer une adresse e-mail valide.",
  phoneInvalid: "Veuillez indiquer un numéro de téléphone valide.",
  booked: "Votre rendez-vous est réservé",
  bookedFor: "{service} le {when}",
  reference: "Référence : {id}",
  addToCalendar: "Ajouter au calendrier (.ics)",
  bookAgain: "Réserver un autre horaire",
  openWidget: "Prendre rendez-vous",
  close: "Fermer",
  failed: "Une erreur est survenue : {message}",
  retry: "Réessayer",
  available: "libre",
  unavailable: "indisponible",
  today: "aujourd’hui",
};

const tables: Record<string, MessageTable> = { en: english, de: german, fr: french };

/** The languages the widget speaks. */
export const supportedLanguages = Object.keys(tables);

/** Translates message keys for one locale, falling back to English. */
export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

/** The language of a locale tag the widget speaks (`de-AT` → `de`), English otherwise. */
export function languageOf(locale: string | undefined): string {
  const language = (locale ?? "en").toLowerCase().split(/[-_]/)[0] ?? "en";
  return language in tables ? language : "en";
}

/** A translator for the locale's language. */
export function translatorFor(locale: string | undefined): Translate {
  const table = tables[languageOf(locale)] ?? english;
  return (key, values = {}) =>
    table[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      name in values ? String(values[name]) : whole,
    );
}
