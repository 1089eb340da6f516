import type { AgentCard, AgentSkill } from "@a2a-js/sdk";
import { exampleRequest } from "./booking-request.js";

/** Where the A2A JSON-RPC endpoint is mounted. */
export const a2aPath = "/a2a";

const description =
  "Books appointments of this VBWD tenant: finds free slots, holds one and books it, reads and cancels bookings. Authenticate with the tenant's agent key (Authorization: Bearer ak_…).";

interface SkillText {
  id: string;
  name: string;
  description: string;
  tags: string[];
  examples: string[];
}

const skills: SkillText[] = [
  {
    id: "find-slots",
    name: "Find slots",
    description: "Lists the free slots around the asked date and time for a service.",
    tags: ["availability", "slots", "calendar"],
    examples: ["find a 30 minute slot on 2027-03-04 at 10:00"],
  },
  {
    id: "book",
    name: "Book",
    description:
      'Holds and books a slot for a customer, from text ("Name <email>") or a data part { calendarId?, serviceId?, start, customer: { name, email, phone? } }; answers the booking as JSON and an iCalendar file.',
    tags: ["booking", "appointment", "hold"],
    examples: [exampleRequest],
  },
  {
    id: "cancel",
    name: "Cancel booking",
    description: "Cancels a booking by its id; its slot is free again at once.",
    tags: ["booking", "cancel"],
    examples: ["cancel booking bkg_0123456789abcdef"],
  },
  {
    id: "get-booking",
    name: "Get booking",
    description: "The booking a task made is in the task's artifacts; tasks/get returns it again.",
    tags: ["booking", "status"],
    examples: ["tasks/get with the id of the task that booked"],
  },
];

const inputModes = ["text/plain", "application/json"];
const outputModes = ["application/json", "text/calendar", "text/plain"];

/** The agent card in the SDK's form, for the request handler and the v1.0 JSON answer. */
export function agentCard(baseUrl: string): AgentCard {
  const url = `${baseUrl}${a2aPath}`;
  return {
    name: "VBWD booking agent",
    description,
    supportedInterfaces: [
      { url, protocolBinding: "JSONRPC", tenant: "", protocolVersion: "1.0" },
      { url, protocolBinding: "JSONRPC", tenant: "", protocolVersion: "0.3" },
    ],
    provider: { url: baseUrl, organization: "VBWD" },
    version: "0.1.0",
    capabilities: { streaming: false, pushNotifications: false, extensions: [] },
    securitySchemes: {
      agentKey: {
        scheme: {
          $case: "httpAuthSecurityScheme",
          value: { description: "the tenant's agent key", scheme: "Bearer", bearerFormat: "ak_…" },
        },
      },
    },
    securityRequirements: [{ schemes: { agentKey: { list: [] } } }],
    defaultInputModes: inputModes,
    defaultOutputModes: outputModes,
    skills: skills.map((skill): AgentSkill => ({
      ...skill,
      inputModes: [],
      outputModes: [],
      securityRequirements: [],
    })),
    signatures: [],
  };
}

/** The same card in the v0.3 JSON shape, for clients that predate v1.0. */
export function legacyAgentCard(baseUrl: string) {
  const url = `${baseUrl}${a2aPath}`;
  return {
    protocolVersion: "0.3.0",
    name: "VBWD booking agent",
    description,
    url,
    preferredTransport: "JSONRPC",
    additionalInterfaces: [{ url, transport: "JSONRPC" }],
    provider: { url: baseUrl, organization: "VBWD" },
    version: "0.1.0",
    capabilities: { streaming: false, pushNotifications: false },
    securitySchemes: {
      agentKey: { type: "http", scheme: "bearer", description: "the tenant's agent key" },
    },
    security: [{ agentKey: [] }],
    defaultInputModes: inputModes,
    defaultOutputModes: outputModes,
    skills,
  };
}
