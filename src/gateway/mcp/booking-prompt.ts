import { z } from "zod";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";

/** The `book_appointment` prompt: walks a model through find → hold → book. */
export function registerBookingPrompt(server: McpServer): void {
  server.registerPrompt(
    "book_appointment",
    {
      title: "Book an appointment",
      description:
        "Guides the booking of one appointment: find a free slot for a service on a date, hold it, then book it for the customer.",
      argsSchema: {
        service: z.string().optional().describe("Service id (svc_…) or name to book"),
        date: z.string().optional().describe("Wanted day, YYYY-MM-DD"),
        customer: z.string().optional().describe("The customer's name and email"),
      },
    },
    ({ service, date, customer }) => ({
      messages: [
        { role: "user", content: { type: "text", text: bookingSteps(service, date, customer) } },
      ],
    }),
  );
}

function bookingSteps(service?: string, date?: string, customer?: string): string {
  return [
    `Book an appointment${customer ? ` for ${customer}` : ""}.`,
    `1. Call list_services and pick the service${service ? ` matching "${service}"` : " the customer wants"}; note its id and one of its calendarIds.`,
    `2. Call find_available_slots with that calendarId and serviceId${date ? `, from ${date}T00:00:00Z to the next day` : ""}. Offer the customer a few starts in the calendar's timezone.`,
    "3. When the customer chooses, call hold_slot with that start so nobody else takes it.",
    "4. Ask for the customer's name and email (and phone if they want), then call book_appointment with the holdId and a fresh idempotencyKey.",
    "5. If a call answers slot_unavailable, go back to step 2 and offer other starts.",
    "6. Confirm the booking id, start and end to the customer.",
  ].join("\n");
}
