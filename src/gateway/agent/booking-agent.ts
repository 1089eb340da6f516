import { DateTime } from "luxon";
import type { AnyCommand, EngineServices } from "../../commands/command.js";
import { executeCommand, type CommandCall } from "../../commands/execute.js";
import { commands } from "../../commands/registry.js";
import { isAppError, type AppError, type ErrorCode } from "../../domain/app-error.js";
import type { BookingView } from "../../engine/booking-view.js";
import { bookingCalendarFile } from "../../notify/booking-calendar-file.js";
import { Booking } from "../../store/entities/index.js";
import { exampleRequest, type BookingCustomer, type BookingRequest } from "./booking-request.js";

/**
 * The booking agent shared by Agent Protocol and A2A: it turns a booking request into three
 * stages (find slots, hold, book), each run through the engine's commands with the caller's
 * own credential. A request it cannot act on ends with a sentence saying what is missing.
 */

/** Who is asking, as the protocol adapter received it. */
export interface AgentCaller {
  credential: string | undefined;
  protocol: string;
  ipAddress?: string | undefined;
  requestId?: string | undefined;
}

/** A file the agent produced. */
export interface AgentFile {
  fileName: string;
  mediaType: string;
  content: Buffer;
}

/** The stages of a booking, in order; `done` once it ended either way. */
export type BookingStage = "find" | "hold" | "book" | "done";

/** The slot chosen in the first stage. */
export interface ChosenSlot {
  calendarId: string;
  serviceId: string;
  serviceName: string;
  start: string;
  end: string;
  timezone: string;
}

/** A booking in progress: what was asked and how far it got. */
export interface BookingProgress {
  request: BookingRequest;
  stage: BookingStage;
  /** Makes a retried booking stage find the first booking instead of making a second. */
  idempotencyKey: string;
  slot?: ChosenSlot;
  holdId?: string;
  booking?: BookingView;
}

/** What one stage did. */
export interface StageOutcome {
  /** `find slots`, `hold` or `book`. */
  name: string;
  /** A sentence for the caller. */
  output: string;
  /** True when the booking succeeded or cannot go on. */
  finished: boolean;
  failed: boolean;
  files: AgentFile[];
  data?: unknown;
}

interface Slot {
  start: string;
  end: string;
  remaining: number;
}

interface ServiceView {
  id: string;
  name: string;
  durationMinutes: number;
  calendarIds: string[];
}

/** Failures that concern the caller's request, told as a sentence rather than an error. */
const requestProblems: ReadonlySet<ErrorCode> = new Set([
  "not_found",
  "invalid_input",
  "slot_unavailable",
  "hold_expired",
  "conflict",
  "plan_limit_reached",
  "idempotency_key_reused",
  "payment_required",
]);

/** Starts a booking from a request. */
export function startBooking(request: BookingRequest, idempotencyKey: string): BookingProgress {
  return { request, stage: "find", idempotencyKey };
}

/** The name of the stage a booking will run next. */
export function stageName(stage: BookingStage): string {
  return { find: "find slots", hold: "hold", book: "book", done: "done" }[stage];
}

/** Runs the next stage of a booking and moves it on; a request problem ends it helpfully. */
export async function runNextStage(
  services: EngineServices,
  caller: AgentCaller,
  progress: BookingProgress,
): Promise<StageOutcome> {
  const name = stageName(progress.stage);
  try {
    const outcome = await runStage(services, caller, progress);
    progress.stage = outcome.finished ? "done" : nextStage(progress.stage);
    return outcome;
  } catch (err) {
    if (!isAppError(err) || !requestProblems.has(err.code)) throw err;
    progress.stage = "done";
    return failure(name, explainProblem(err, progress));
  }
}

function runStage(services: EngineServices, caller: AgentCaller, progress: BookingProgress) {
  switch (progress.stage) {
    case "find":
      return findSlots(services, caller, progress);
    case "hold":
      return holdSlot(services, caller, progress);
    case "book":
      return bookSlot(services, caller, progress);
    case "done":
      return Promise.resolve(
        failure("done", "This booking has already finished; start a new task to book again."),
      );
  }
}

function nextStage(stage: BookingStage): BookingStage {
  const order: BookingStage[] = ["find", "hold", "book", "done"];
  return order[order.indexOf(stage) + 1] ?? "done";
}

/** Runs one command with the caller's credential. */
export async function runCommand<Output>(
  services: EngineServices,
  caller: AgentCaller,
  command: AnyCommand,
  input: unknown,
  idempotencyKey?: string,
): Promise<Output> {
  const call: CommandCall = {
    input,
    credential: caller.credential,
    protocol: caller.protocol,
    ipAddress: caller.ipAddress,
    requestId: caller.requestId,
    idempotencyKey,
  };
  return (await executeCommand(services, command, call)) as Output;
}

async function findSlots(
  services: EngineServices,
  caller: AgentCaller,
  progress: BookingProgress,
): Promise<StageOutcome> {
  const { request } = progress;
  if (!request.startInstant && !(request.localDate && request.localTime)) {
    return failure("find slots", missingTime(request));
  }
  const service = await resolveService(services, caller, request);
  if (typeof service === "string") return failure("find slots", service);

  const calendarIds = request.calendarId ? [request.calendarId] : service.calendarIds;
  let firstLook: DayLook | undefined;
  for (const calendarId of calendarIds) {
    const look = await lookAtDay(services, caller, calendarId, service, request);
    if (typeof look === "string") return failure("find slots", look);
    firstLook ??= look;
    const slot = look.slots.find((free) => Date.parse(free.start) === look.wanted);
    if (!slot) continue;
    progress.slot = {
      calendarId,
      serviceId: service.id,
      serviceName: service.name,
      start: slot.start,
      end: slot.end,
      timezone: look.timezone,
    };
    return slotFound(progress, look.slots);
  }
  return failure("find slots", slotNotFree(service, firstLook), slotsFile(firstLook?.slots ?? []));
}

function slotFound(progress: BookingProgress, slots: Slot[]): StageOutcome {
  const slot = progress.slot!;
  const missing = missingCustomer(progress.request.customer);
  const when = describeTime(slot.start, slot.timezone);
  if (missing) {
    return failure(
      "find slots",
      `${slot.serviceName} at ${when} is free, but I need ${missing} to book it. Ask again with the customer written as "Jane Roe <jane@example.org>", for example: "${exampleRequest}".`,
      slotsFile(slots),
    );
  }
  return {
    name: "find slots",
    output: `Found ${slots.length} free slot${slots.length === 1 ? "" : "s"} that day; ${slot.serviceName} at ${when} is free. Next step: hold it.`,
    finished: false,
    failed: false,
    files: slotsFile(slots),
    data: { slot, slots },
  };
}

async function holdSlot(
  services: EngineServices,
  caller: AgentCaller,
  progress: BookingProgress,
): Promise<StageOutcome> {
  const slot = progress.slot!;
  const hold = await runCommand<{ id: string; expiresAt: number | string }>(
    services,
    caller,
    commands.createHold,
    { calendarId: slot.calendarId, serviceId: slot.serviceId, start: slot.start },
  );
  progress.holdId = hold.id;
  return {
    name: "hold",
    output: `Holding ${slot.serviceName} at ${describeTime(slot.start, slot.timezone)} (hold ${hold.id}) so nobody else takes it. Next step: book it.`,
    finished: false,
    failed: false,
    files: [],
    data: { hold },
  };
}

async function bookSlot(
  services: EngineServices,
  caller: AgentCaller,
  progress: BookingProgress,
): Promise<StageOutcome> {
  const slot = progress.slot!;
  const customer = progress.request.customer as BookingCustomer;
  const booking = await runCommand<BookingView>(
    services,
    caller,
    commands.createBooking,
    {
      calendarId: slot.calendarId,
      serviceId: slot.serviceId,
      start: slot.start,
      holdId: progress.holdId,
      customer,
    },
    progress.idempotencyKey,
  );
  progress.booking = booking;
  const files = await bookingFiles(services, caller, booking);
  return {
    name: "book",
    output: `Booked ${slot.serviceName} for ${booking.customer.name} at ${describeTime(booking.start, slot.timezone)}: booking ${booking.id} is ${booking.status}. The booking and a calendar file (booking.ics) are attached.`,
    finished: true,
    failed: false,
    files,
    data: { booking },
  };
}

/** The booking as JSON and as an iCalendar file. */
export async function bookingFiles(
  services: EngineServices,
  caller: AgentCaller,
  booking: BookingView,
): Promise<AgentFile[]> {
  const tenant = await runCommand<{ id: string; name: string; code: string; timezone: string }>(
    services,
    caller,
    commands.getTenant,
    {},
  );
  const domain = services.config.baseDomain ?? "vbwd.invalid";
  // The caller's tenant was just resolved from its credential, so its unit of work is safe.
  const em = services.db.forkForTenant(tenant.id);
  const stored = await em.findOneOrFail(Booking, { id: booking.id });
  const ics = await bookingCalendarFile(em, tenant, stored, {
    name: tenant.name,
    email: `bookings@${tenant.code}.${domain}`,
  });
  return [
    jsonFile("booking.json", booking),
    { fileName: "booking.ics", mediaType: "text/calendar", content: Buffer.from(ics.content) },
  ];
}

/** A JSON document as a file. */
export function jsonFile(fileName: string, value: unknown): AgentFile {
  const content = Buffer.from(JSON.stringify(value, null, 2) + "\n");
  return { fileName, mediaType: "application/json", content };
}

function slotsFile(slots: Slot[]): AgentFile[] {
  return [jsonFile("slots.json", { slots })];
}

/** The service the request names: by id, or the best match of duration and name words. */
async function resolveService(
  services: EngineServices,
  caller: AgentCaller,
  request: BookingRequest,
): Promise<ServiceView | string> {
  if (request.serviceId) {
    return runCommand<ServiceView>(services, caller, commands.getService, {
      id: request.serviceId,
    });
  }
  const { data } = await runCommand<{ data: ServiceView[] }>(
    services,
    caller,
    commands.listServices,
    {},
  );
  if (data.length === 0) return "This business offers no services to book yet.";
  const ranked = data
    .map((service) => ({ service, score: matchScore(service, request) }))
    .filter((entry) => entry.score >= 0)
    .sort((a, b) => b.score - a.score);
  const [best, runnerUp] = ranked;
  if (!best || (runnerUp && runnerUp.score === best.score)) {
    return `I could not tell which service you mean. Offered: ${listServices(data)}. Name one, or give its length (for example "30 minute").`;
  }
  return best.service;
}

/** How well a service fits: −1 when the asked duration differs, else name words in common. */
function matchScore(service: ServiceView, request: BookingRequest): number {
  if (
    request.durationMinutes !== undefined &&
    service.durationMinutes !== request.durationMinutes
  ) {
    return -1;
  }
  const nameWords = service.name.toLowerCase().match(/[a-z\u00C0-\u024F]{3,}/g) ?? [];
  return nameWords.filter((word) => request.words.includes(word)).length;
}

function listServices(services: ServiceView[]): string {
  return services.map((s) => `"${s.name}" (${s.durationMinutes} minutes, ${s.id})`).join(", ");
}

interface DayLook {
  slots: Slot[];
  /** The asked start in epoch milliseconds. */
  wanted: number;
  timezone: string;
}

/** The free slots of the asked day on one calendar, and the asked start as an instant. */
async function lookAtDay(
  services: EngineServices,
  caller: AgentCaller,
  calendarId: string,
  service: ServiceView,
  request: BookingRequest,
): Promise<DayLook | string> {
  const calendar = await runCommand<{ timezone: string }>(services, caller, commands.getCalendar, {
    id: calendarId,
  });
  const start = askedStart(request, calendar.timezone);
  if (!start) return `I could not read the time you asked for. ${howToAsk()}`;
  const dayStart = start.setZone(calendar.timezone).startOf("day");
  const from = DateTime.max(dayStart, DateTime.now()).toUTC();
  const to = dayStart.plus({ days: 1 }).toUTC();
  const wanted = start.toMillis();
  if (to <= from) return { slots: [], wanted, timezone: calendar.timezone };
  const availability = await runCommand<{ slots: Slot[]; timezone: string }>(
    services,
    caller,
    commands.availability,
    { calendarId, serviceId: service.id, from: from.toISO(), to: to.toISO() },
  );
  return { slots: availability.slots, wanted, timezone: calendar.timezone };
}

function askedStart(request: BookingRequest, zone: string): DateTime | undefined {
  const parsed = request.startInstant
    ? DateTime.fromISO(request.startInstant, { setZone: true })
    : DateTime.fromISO(`${request.localDate}T${request.localTime}`, { zone });
  return parsed.isValid ? parsed : undefined;
}

function slotNotFree(service: ServiceView, look: DayLook | undefined): string {
  const alternatives = look ? nearestSlots(look.slots, look.wanted, 6) : [];
  const zone = look?.timezone ?? "UTC";
  const asked = look ? describeTime(new Date(look.wanted).toISOString(), zone) : "that time";
  if (alternatives.length === 0) {
    return `${service.name} at ${asked} is not free, and nothing is free that day. Ask again with another date.`;
  }
  const times = alternatives.map((slot) => describeTime(slot.start, zone)).join(", ");
  return `${service.name} at ${asked} is not free. Free that day: ${times}. Ask again with one of these times.`;
}

/** The `count` free slots nearest to `wanted`, in time order. */
function nearestSlots(slots: Slot[], wanted: number, count: number): Slot[] {
  const distance = (slot: Slot) => Math.abs(Date.parse(slot.start) - wanted);
  const nearest = [...slots].sort((a, b) => distance(a) - distance(b)).slice(0, count);
  return nearest.sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
}

function missingTime(request: BookingRequest): string {
  const missing = request.localDate
    ? "the time"
    : request.localTime
      ? "the date"
      : "the date and time";
  return `I need ${missing} of the appointment. ${howToAsk()}`;
}

function missingCustomer(customer: Partial<BookingCustomer>): string | undefined {
  if (!customer.email && !customer.name) return "the customer's name and email";
  if (!customer.email) return "the customer's email";
  if (!customer.name) return "the customer's name";
  return undefined;
}

function howToAsk(): string {
  return `Write the date as YYYY-MM-DD and the time as HH:MM, for example: "${exampleRequest}".`;
}

function explainProblem(err: AppError, progress: BookingProgress): string {
  switch (err.code) {
    case "slot_unavailable":
      return `The slot was taken just now. Ask again for another time; ${err.message}.`;
    case "hold_expired":
      return "The hold on the slot expired before the booking; ask again to start over.";
    case "plan_limit_reached":
      return `The business cannot take more bookings this month: ${err.message}.`;
    case "not_found":
      return `${err.message}. Check the ids, or leave them out and describe the service in words.`;
    default:
      return `I could not ${stageName(progress.stage)}: ${err.message}. ${howToAsk()}`;
  }
}

/** `Thu 4 Mar 2027 10:00 (Europe/Berlin)` for a time in a calendar's zone. */
export function describeTime(iso: string, zone: string): string {
  const time = DateTime.fromISO(iso).setZone(zone);
  return `${time.toFormat("ccc d LLL yyyy HH:mm")} (${zone})`;
}

function failure(name: string, output: string, files: AgentFile[] = []): StageOutcome {
  return { name, output, finished: true, failed: true, files };
}

/** Cancels a booking the caller named (`cancel booking bkg_…`). */
export async function cancelNamedBooking(
  services: EngineServices,
  caller: AgentCaller,
  bookingId: string,
): Promise<StageOutcome> {
  try {
    const booking = await runCommand<BookingView>(services, caller, commands.cancelBooking, {
      id: bookingId,
    });
    return {
      name: "cancel",
      output: `Booking ${booking.id} for ${booking.customer.name} is ${booking.status}; its slot is free again.`,
      finished: true,
      failed: false,
      files: [jsonFile("booking.json", booking)],
      data: { booking },
    };
  } catch (err) {
    if (!isAppError(err) || !requestProblems.has(err.code)) throw err;
    return failure("cancel", `I could not cancel ${bookingId}: ${err.message}.`);
  }
}

/** What the agent says to a request it does not handle. */
export function refusalFor(text: string): string {
  const asked = text.trim() === "" ? "an empty request" : `"${text.trim().slice(0, 200)}"`;
  return `This agent books appointments; it cannot act on ${asked}. It finds free slots, holds one and books it, or cancels a booking ("cancel booking bkg_…"). Ask, for example: "${exampleRequest}".`;
}
