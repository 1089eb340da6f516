import { z } from "zod";
import type { AnyCommand } from "../../commands/command.js";
import { errorCodes } from "../../domain/app-error.js";
import { restTags, type RestRoute } from "../rest/rest-routes.js";

/** A JSON Schema or OpenAPI object, as plain JSON. */
export type JsonObject = Record<string, unknown>;

/** An OpenAPI 3.1 document: the parts VBWD writes. */
export interface OpenApiDocument extends JsonObject {
  openapi: string;
  info: JsonObject;
  servers: { url: string }[];
  paths: Record<string, Record<string, JsonObject>>;
  components: JsonObject;
}

/** What the document says about the engine beyond its routes. */
export interface OpenApiInfo {
  version: string;
}

const errorRef = { $ref: "#/components/schemas/Error" };
const errorResponse = { $ref: "#/components/responses/Error" };
const callerSecurity = [{ bearer: [] }, { apiKey: [] }];

/**
 * The OpenAPI 3.1 document of the REST routes: one operation per route, named after its
 * command, with the command's input as path and query parameters or the JSON body, its
 * output (when described) as the success answer, and the shared error shape for 4XX and 5XX.
 * `servers` is left empty for the caller to fill with the origin it was reached at.
 */
export function buildOpenApiDocument(
  routes: readonly RestRoute[],
  info: OpenApiInfo,
): OpenApiDocument {
  const paths: OpenApiDocument["paths"] = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    (paths[path] ??= {})[route.method] = operationOf(route);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "VBWD booking engine",
      version: info.version,
      description:
        "Multi-tenant bookings: calendars, services, availability, holds and bookings. " +
        "Errors always answer `{ error: { code, message, details? } }`.",
      license: { name: "Proprietary", identifier: "LicenseRef-Proprietary" },
    },
    servers: [],
    security: callerSecurity,
    tags: Object.entries(restTags).map(([name, description]) => ({ name, description })),
    paths,
    components: components(),
  };
}

/** `/api/v1/keys/:id` as OpenAPI writes it: `/api/v1/keys/{id}`. */
export function openApiPath(path: string): string {
  return path.replace(/:(\w+)/g, "{$1}");
}

function operationOf(route: RestRoute): JsonObject {
  const command = route.command;
  const input = inputSchemaOf(command);
  const pathNames = [...route.path.matchAll(/:(\w+)/g)].map((match) => match[1]!);
  const withBody = route.method === "post" || route.method === "put" || route.method === "patch";

  const operation: JsonObject = {
    operationId: route.operationId ?? command.name,
    summary: command.summary,
    tags: [route.tag],
  };
  if (command.access.kind === "public") operation.security = [];
  const parameters = [
    ...pathNames.map((name) => pathParameter(name, input)),
    ...(withBody ? [] : queryParameters(input, pathNames)),
  ];
  if (command.idempotent) parameters.push(idempotencyKeyParameter);
  if (parameters.length > 0) operation.parameters = parameters;
  const body = withBody ? withoutProperties(input, pathNames) : undefined;
  if (body) operation.requestBody = { required: true, content: jsonContent(body) };
  operation.responses = responsesOf(route);
  return operation;
}

function responsesOf(route: RestRoute): JsonObject {
  const status = String(route.status ?? 200);
  if (route.fileType) {
    return {
      [status]: {
        description: "The file.",
        content: { [route.fileType]: { schema: { type: "string" } } },
      },
      "4XX": errorResponse,
      "5XX": errorResponse,
    };
  }
  const success = route.command.output
    ? jsonSchemaOf(route.command.output, "output")
    : { type: "object", description: "The command's answer (not described in detail yet)." };
  return {
    [status]: { description: "Done.", content: jsonContent(success) },
    "4XX": errorResponse,
    "5XX": errorResponse,
  };
}

function inputSchemaOf(command: AnyCommand): JsonObject {
  return jsonSchemaOf(command.input, "input");
}

/** A zod schema as a JSON Schema (draft 2020-12, what OpenAPI 3.1 uses), inlined. */
function jsonSchemaOf(schema: z.ZodType, io: "input" | "output"): JsonObject {
  const json = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io,
    // Transforms and refinements cannot be written down; what they accept still can.
    unrepresentable: "any",
  }) as JsonObject;
  delete json.$schema;
  return json;
}

function propertiesOf(schema: JsonObject): Record<string, JsonObject> {
  return (schema.properties as Record<string, JsonObject> | undefined) ?? {};
}

function requiredOf(schema: JsonObject): string[] {
  return (schema.required as string[] | undefined) ?? [];
}

function pathParameter(name: string, input: JsonObject): JsonObject {
  return {
    name,
    in: "path",
    required: true,
    schema: propertiesOf(input)[name] ?? { type: "string" },
  };
}

function queryParameters(input: JsonObject, pathNames: string[]): JsonObject[] {
  const required = requiredOf(input);
  return Object.entries(propertiesOf(input))
    .filter(([name]) => !pathNames.includes(name))
    .map(([name, schema]) => ({ name, in: "query", required: required.includes(name), schema }));
}

const idempotencyKeyParameter = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  description: "Makes a retry answer the first result for 24 hours instead of acting again.",
  schema: { type: "string", minLength: 1, maxLength: 255 },
};

/** The body schema: the input without the fields the path carries; none when nothing is left. */
function withoutProperties(input: JsonObject, names: string[]): JsonObject | undefined {
  if (input.type !== "object" || input.properties === undefined) return input;
  const properties = Object.fromEntries(
    Object.entries(propertiesOf(input)).filter(([name]) => !names.includes(name)),
  );
  if (Object.keys(properties).length === 0) return undefined;
  const required = requiredOf(input).filter((name) => !names.includes(name));
  const body: JsonObject = { ...input, properties };
  if (required.length > 0) body.required = required;
  else delete body.required;
  return body;
}

function jsonContent(schema: JsonObject): JsonObject {
  return { "application/json": { schema } };
}

function components(): JsonObject {
  return {
    schemas: { Error: errorSchema },
    responses: {
      Error: { description: "The call was refused or failed.", content: jsonContent(errorRef) },
    },
    securitySchemes: {
      bearer: {
        type: "http",
        scheme: "bearer",
        description: "An API key (sk_…, pk_…, ak_…), a staff token or the platform token.",
      },
      apiKey: { type: "apiKey", in: "header", name: "X-API-Key", description: "An API key." },
    },
  };
}

/** Every error answer: `{ error: { code, message, details? } }` and nothing else. */
const errorSchema: JsonObject = {
  type: "object",
  required: ["error"],
  additionalProperties: false,
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      additionalProperties: false,
      properties: {
        code: { type: "string", enum: [...errorCodes] },
        message: { type: "string" },
        details: { description: "Per-field problems for invalid_input; other facts otherwise." },
      },
    },
  },
};
