import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import {
  CompleteRequestSchema,
  ErrorCode,
  McpError,
  SetLevelRequestSchema,
  type CallToolResult,
  type CompleteRequest,
  type LoggingLevel,
  type ServerNotification,
  type ServerRequest,
} from "@modelcontextprotocol/sdk/types.js";
import type { EngineServices } from "../../commands/command.js";
import { commands } from "../../commands/registry.js";
import { isAppError } from "../../domain/app-error.js";
import { moduleLogger } from "../../logger.js";
import { bookingTools, type BookingTool } from "./booking-tools.js";
import { registerBookingPrompt } from "./booking-prompt.js";
import { runForCaller, type McpCaller } from "./mcp-caller.js";
import { toMcpError, toolErrorResult } from "./tool-errors.js";

const log = moduleLogger("gateway:mcp");

/** What a caller is told about a failure of ours; the failure itself is logged. */
const internalFailure = "something went wrong on our side; it has been logged, retry later";

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

const levels: readonly LoggingLevel[] = [
  "debug",
  "info",
  "notice",
  "warning",
  "error",
  "critical",
  "alert",
  "emergency",
];

/** What a session remembers between requests, which may reach any node. */
export interface McpSessionState {
  /** The least severe log message the client wants (`logging/setLevel`). */
  logLevel: LoggingLevel;
  /** Keeps a new level for the session's later requests. */
  setLogLevel(level: LoggingLevel): Promise<void>;
}

/** The MCP server of one session: booking tools, resources, a prompt, completions, logging. */
export function createBookingMcpServer(
  services: EngineServices,
  caller: McpCaller,
  session: McpSessionState = { logLevel: "info", setLogLevel: async () => undefined },
): McpServer {
  const server = new McpServer(
    { name: "vbwd", title: "VBWD booking engine", version: "1.0.0" },
    {
      capabilities: { tools: {}, resources: {}, prompts: {}, completions: {}, logging: {} },
      instructions:
        "Book appointments with this business: list_services, then find_available_slots, then hold_slot and book_appointment. Times are ISO 8601 with an offset or Z.",
    },
  );
  const logLevel = { current: session.logLevel };
  server.server.setRequestHandler(SetLevelRequestSchema, async (request) => {
    logLevel.current = request.params.level;
    await session.setLogLevel(request.params.level);
    return {};
  });

  for (const tool of bookingTools) {
    if (!tool.scopes.includes(caller.scope)) continue;
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.inputSchema,
        annotations: tool.annotations,
      },
      async (args: Record<string, unknown>, extra: Extra) => {
        const result = await callTool(services, caller, tool, args);
        await logToolCall(extra, logLevel.current, tool.name, result);
        return result;
      },
    );
  }
  registerResources(server, services, caller);
  registerBookingPrompt(server);
  server.server.setRequestHandler(CompleteRequestSchema, (request) =>
    completeArgument(services, caller, request),
  );
  return server;
}

/** Runs a tool's command; a refusal becomes an error result the model can act on. */
async function callTool(
  services: EngineServices,
  caller: McpCaller,
  tool: BookingTool,
  args: Record<string, unknown>,
): Promise<CallToolResult> {
  const { input, idempotencyKey } = tool.toInput(args);
  try {
    const output = await runForCaller(
      services,
      caller,
      tool.commandFor(caller.scope),
      input,
      idempotencyKey,
    );
    return jsonResult(output);
  } catch (err) {
    if (isAppError(err)) return toolErrorResult(err);
    log.error({ err, tool: tool.name }, "tool call failed");
    return { isError: true, content: [{ type: "text", text: internalFailure }] };
  }
}

function jsonResult(output: unknown): CallToolResult {
  return {
    content: [{ type: "text", text: JSON.stringify(output, null, 2) }],
    structuredContent: output as Record<string, unknown>,
  };
}

/** Tells the client, on the call's own stream, which tool ran and how it ended. */
async function logToolCall(
  extra: Extra,
  threshold: LoggingLevel,
  tool: string,
  result: CallToolResult,
): Promise<void> {
  const level: LoggingLevel = result.isError ? "warning" : "info";
  if (levels.indexOf(level) < levels.indexOf(threshold)) return;
  await extra.sendNotification({
    method: "notifications/message",
    params: { level, logger: "vbwd", data: { tool, outcome: result.isError ? "refused" : "ok" } },
  });
}

/** Calendars (and, for agents, bookings) as resources; the public endpoint offers services. */
function registerResources(server: McpServer, services: EngineServices, caller: McpCaller): void {
  const read = async (uri: URL, command: Parameters<typeof runForCaller>[2], input: unknown) => {
    try {
      const output = await runForCaller(services, caller, command, input);
      const text = JSON.stringify(output, null, 2);
      return { contents: [{ uri: uri.href, mimeType: "application/json", text }] };
    } catch (err) {
      if (isAppError(err)) throw toMcpError(err);
      log.error({ err, uri: uri.href }, "resource read failed");
      throw new McpError(ErrorCode.InternalError, internalFailure);
    }
  };

  if (caller.scope === "public") {
    server.registerResource(
      "services",
      "vbwd://services",
      {
        title: "Services",
        description: "The business, its bookable services and the calendars offering each.",
        mimeType: "application/json",
      },
      (uri) => read(uri, commands.widgetConfig, {}),
    );
    return;
  }
  server.registerResource(
    "calendars",
    "vbwd://calendars",
    {
      title: "Calendars",
      description: "Every calendar of the business with its time zone and weekly hours.",
      mimeType: "application/json",
    },
    (uri) => read(uri, commands.listCalendars, {}),
  );
  server.registerResource(
    "calendar",
    new ResourceTemplate("vbwd://calendars/{id}", { list: undefined }),
    {
      title: "Calendar",
      description: "One calendar: time zone, weekly hours, capacity and booking rules.",
      mimeType: "application/json",
    },
    (uri, variables) => read(uri, commands.getCalendar, { id: variables["id"] }),
  );
  server.registerResource(
    "booking",
    new ResourceTemplate("vbwd://bookings/{id}", { list: undefined }),
    {
      title: "Booking",
      description: "One booking with its status, times and customer.",
      mimeType: "application/json",
    },
    (uri, variables) => read(uri, commands.getBooking, { id: variables["id"] }),
  );
}

/** Suggests calendar and service ids; any other argument or reference gets no suggestions. */
async function completeArgument(
  services: EngineServices,
  caller: McpCaller,
  request: CompleteRequest,
) {
  const { ref, argument } = request.params;
  const wantsCalendar = ref.type === "ref/resource" && ref.uri === "vbwd://calendars/{id}";
  const wantsService = ref.type === "ref/prompt" && ref.name === "book_appointment";
  let ids: string[] = [];
  if (wantsCalendar && argument.name === "id") ids = await calendarIds(services, caller);
  if (wantsService && argument.name === "service") ids = await serviceIds(services, caller);
  const values = ids.filter((id) => id.startsWith(argument.value)).slice(0, 100);
  return { completion: { values, total: values.length, hasMore: false } };
}

async function calendarIds(services: EngineServices, caller: McpCaller): Promise<string[]> {
  const listed = await quietly(runForCaller(services, caller, commands.listCalendars, {}));
  return listed?.data.map((calendar) => calendar.id) ?? [];
}

async function serviceIds(services: EngineServices, caller: McpCaller): Promise<string[]> {
  const listed =
    caller.scope === "agent"
      ? (await quietly(runForCaller(services, caller, commands.listServices, {})))?.data
      : (await quietly(runForCaller(services, caller, commands.widgetConfig, {})))?.services;
  return listed?.map((service) => service.id) ?? [];
}

/** A completion is a hint: a refused lookup suggests nothing rather than failing. */
async function quietly<T>(pending: Promise<T>): Promise<T | undefined> {
  try {
    return await pending;
  } catch (err) {
    if (isAppError(err)) return undefined;
    throw err;
  }
}
