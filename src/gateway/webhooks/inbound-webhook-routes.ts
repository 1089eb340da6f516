import type Router from "@koa/router";
import type { EngineServices } from "../../commands/command.js";
import {
  creatingEventTypes,
  deliverInboundEvent,
  findWebhookSourceUnscoped,
  inboundEnvelopeSchema,
  signingSecretsOf,
  type InboundEnvelope,
} from "../../commands/inbound-webhook-commands.js";
import { errors, type FieldProblem } from "../../domain/app-error.js";
import { httpStatusOf } from "../error-status.js";
import { readRawBody } from "../http/raw-body.js";
import { errorBody } from "../http/error-responder.js";
import type { HttpContext, HttpState } from "../http/http-state.js";
import { parseSignatureHeader, signatureHeader, verifySignature } from "./webhook-signature.js";

/**
 * `POST /webhooks/in/:sourceId`: an outside system's signed event. The signature is the
 * credential: the source must exist and be active (404 otherwise, nothing more said), the raw
 * body must carry a valid `VBWD-Signature` within the source's tolerance, and only then is
 * the JSON read and the event run as its command for the source's tenant.
 */
export function mountInboundWebhooks(router: Router<HttpState>, services: EngineServices): void {
  router.post("/webhooks/in/:sourceId", async (ctx) => {
    const sourceId = ctx.params["sourceId"] ?? "";
    const source = await findWebhookSourceUnscoped(services, sourceId);
    if (!source) throw errors.notFound("webhook source", sourceId);
    ctx.state.tenantId = source.tenant;

    const body = await readJsonBytes(ctx, services.config.bodyLimitKb);
    const claim = parseSignatureHeader(ctx.get(signatureHeader) || undefined);
    verifySignature(claim, signingSecretsOf(services, source), body, source.toleranceSeconds);
    const event = parseEnvelope(body);

    const result = await deliverInboundEvent(services, source, event, {
      ipAddress: ctx.ip,
      requestId: ctx.state.requestId,
    });
    ctx.state.log.debug({ sourceId, eventId: event.id, outcome: result.kind }, "webhook event");
    if (result.kind === "duplicate") {
      ctx.status = 200;
      ctx.body = { duplicate: true, event: result.outcome };
    } else if (result.kind === "refused") {
      ctx.status = httpStatusOf[result.error.code];
      ctx.body = errorBody(result.error);
    } else {
      ctx.status = creatingEventTypes.has(event.type) ? 201 : 200;
      ctx.body = result.output;
    }
  });
}

/** The body exactly as sent: JSON only, within the body limit. */
async function readJsonBytes(ctx: HttpContext, limitKb: number): Promise<Buffer> {
  if (!ctx.is("application/json", "+json")) {
    throw errors.unsupportedMediaType(ctx.get("content-type") || "none");
  }
  return readRawBody(ctx, limitKb);
}

function parseEnvelope(body: Buffer): InboundEnvelope {
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch (err) {
    throw errors.malformed(`the body is not valid JSON (${(err as Error).message})`);
  }
  const parsed = inboundEnvelopeSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const problems: FieldProblem[] = parsed.error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
  throw errors.invalidInput(problems);
}
