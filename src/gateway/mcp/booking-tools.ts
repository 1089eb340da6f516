import { z } from "zod";
import type { ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import type { AnyCommand } from "../../commands/command.js";
import { commands } from "../../commands/registry.js";
import type { McpScope } from "./mcp-caller.js";

/** One MCP tool: its schema and description for models, and the command it runs. */
export interface BookingTool {
  name: string;
  title: string;
  description: string;
  inputSchema: z.ZodRawShape;
  annotations: ToolAnnotations;
  /** The endpoints that offer the tool. */
  scopes: readonly McpScope[];
  /** The command the tool runs on an endpoint. */
  commandFor(scope: McpScope): AnyCommand;
  /** The tool's arguments as the command's input, and an idempotency key if one was given. */
  toInput(args: Record<string, unknown>): { input: unknown; idempotencyKey?: string };
}

const both = ["agent", "public"] as const;
const agentOnly = ["agent"] as const;
const timeFormat =
  "ISO 8601 time with an offset or Z, for example 2026-05-04T09:30:00Z or 2026-05-04T11:30:00+02:00";

const calendarId = z
  .string()
  .describe("Calendar id (cal_…), from the calendarIds of a service in list_services");
const serviceId = z.string().describe("Service id (svc_…), from list_services");
const bookingId = z.string().describe("Booking id (bkg_…), as book_appointment returned it");
const start = z
  .string()
  .describe(`Start of the slot: ${timeFormat}; use a start from find_available_slots`);

/** The arguments as given: the command's own schema checks them. */
const asGiven = (args: Record<string, unknown>) => ({ input: args });

/** Every booking tool, for both MCP endpoints. */
export const bookingTools: readonly BookingTool[] = [
  {
    name: "list_services",
    title: "List services",
    description:
      "Lists the bookable services of this business: id, name, duration in minutes, price in minor units with its currency, and the calendarIds that offer each. Call it first to learn the ids every other tool needs.",
    inputSchema: {},
    annotations: { readOnlyHint: true, openWorldHint: false },
    scopes: both,
    commandFor: (scope) => (scope === "agent" ? commands.listServices : commands.widgetConfig),
    toInput: () => ({ input: {} }),
  },
  {
    name: "find_available_slots",
    title: "Find available slots",
    description: `Lists the free slots of one calendar for one service between two times (7 days from now when from and to are left out, 62 days at most). Returns { calendarId, timezone, slots: [{ start, end, remaining }] } with times in UTC (${timeFormat}); present them to the customer in the calendar's timezone. Use a slot's start with hold_slot or book_appointment.`,
    inputSchema: {
      calendarId,
      serviceId,
      from: z.string().optional().describe(`Earliest start to list: ${timeFormat}`),
      to: z.string().optional().describe(`List starts before this time: ${timeFormat}`),
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
    scopes: both,
    commandFor: () => commands.availability,
    toInput: asGiven,
  },
  {
    name: "hold_slot",
    title: "Hold a slot",
    description:
      "Holds a free slot for a few minutes while the customer confirms, so nobody else takes it. Returns the hold with its id and expiresAt; pass the id as holdId to book_appointment before it expires. Fails with slot_unavailable when the slot is taken.",
    inputSchema: { calendarId, serviceId, start },
    annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
    scopes: both,
    commandFor: () => commands.createHold,
    toInput: asGiven,
  },
  {
    name: "release_hold",
    title: "Release a hold",
    description:
      "Releases a hold the customer no longer wants, so the slot is free for others at once. Returns the released hold.",
    inputSchema: { holdId: z.string().describe("Hold id (hld_…), as hold_slot returned it") },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
    scopes: both,
    commandFor: () => commands.releaseHold,
    toInput: (args) => ({ input: { id: args["holdId"] } }),
  },
  {
    name: "book_appointment",
    title: "Book an appointment",
    description: `Books a slot for a customer and returns the confirmed booking (id, status, start, end, customer). Give holdId when the slot was held with hold_slot. Give an idempotencyKey (any unique text) so that retrying after a timeout cannot book twice. Fails with slot_unavailable when the slot is taken: then pick another start from find_available_slots. Times: ${timeFormat}.`,
    inputSchema: {
      calendarId,
      serviceId,
      start,
      holdId: z.string().optional().describe("Hold id (hld_…) from hold_slot, if the slot is held"),
      customer: z
        .object({
          name: z.string().describe("The customer's full name"),
          email: z.string().describe("The customer's email address"),
          phone: z.string().optional().describe("The customer's phone number, if they gave one"),
        })
        .describe("Who the booking is for"),
      idempotencyKey: z
        .string()
        .optional()
        .describe(
          "A unique key for this booking; a retry with the same key returns the same booking",
        ),
    },
    annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
    scopes: both,
    commandFor: () => commands.createBooking,
    toInput: ({ idempotencyKey, ...input }) => ({
      input,
      idempotencyKey: typeof idempotencyKey === "string" ? idempotencyKey : undefined,
    }),
  },
  {
    name: "get_booking",
    title: "Get a booking",
    description:
      "Reads one booking with its status (confirmed, cancelled, no_show), start, end and customer.",
    inputSchema: { bookingId },
    annotations: { readOnlyHint: true, openWorldHint: false },
    scopes: agentOnly,
    commandFor: () => commands.getBooking,
    toInput: (args) => ({ input: { id: args["bookingId"] } }),
  },
  {
    name: "cancel_booking",
    title: "Cancel a booking",
    description:
      "Cancels a booking; its slot is free again at once. Returns the booking with status cancelled. Confirm with the customer first: this cannot be undone.",
    inputSchema: { bookingId },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
    scopes: agentOnly,
    commandFor: () => commands.cancelBooking,
    toInput: (args) => ({ input: { id: args["bookingId"] } }),
  },
  {
    name: "reschedule_booking",
    title: "Reschedule a booking",
    description: `Moves a booking to another start on the same calendar; the new slot is taken before the old one is freed, so nothing changes when the new slot is taken (slot_unavailable: pick another start from find_available_slots). Returns the moved booking. Times: ${timeFormat}.`,
    inputSchema: { bookingId, start },
    annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
    scopes: agentOnly,
    commandFor: () => commands.rescheduleBooking,
    toInput: (args) => ({ input: { id: args["bookingId"], start: args["start"] } }),
  },
];
