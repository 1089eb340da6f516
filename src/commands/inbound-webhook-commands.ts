import { UniqueConstraintViolationException, type EntityManager } from "@mikro-orm/core";
import { z } from "zod";
import { AppError, errors, isAppError, type ErrorCode } from "../domain/app-error.js";
import {
  inboundEventStatuses,
  inboundEventTypes,
  type InboundEventType,
} from "../domain/inbound-events.js";
import type { Principal } from "../domain/principal.js";
import { moduleLogger } from "../logger.js";
import { InboundEvent, WebhookSource } from "../store/entities/index.js";
import { idPrefixes, newId } from "../store/ids.js";
import { recordAudit } from "../tenants/audit.js";
import {
  issueWebhookSecret,
  openWebhookSecret,
  sealWebhookSecret,
} from "../tenants/webhook-secrets.js";
import {
  cancelBookingCommand,
  createBookingCommand,
  createHoldCommand,
  releaseHoldCommand,
  rescheduleBookingCommand,
} from "./booking-commands.js";
import {
  defineCommand,
  tenantOf,
  type AnyCommand,
  type CommandContext,
  type EngineServices,
  tenantManagers,
} from "./command.js";
import { executeCommand } from "./execute.js";
import { bookingOutput, holdOutput, releasedHoldOutput } from "./output-schemas.js";
import { idSchema } from "./schemas.js";

const log = moduleLogger("commands:inbound-webhooks");

/** The path outside systems post a source's events to. */
export function inboundWebhookPath(sourceId: string): string {
  return `/webhooks/in/${sourceId}`;
}

const instant = z.iso.datetime({ offset: true });

/** A webhook source as listed: never its secret, only the secret's first characters. */
export const webhookSourceOutput = z.object({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  secretPrefix: z.string(),
  allowedEventTypes: z.array(z.enum(inboundEventTypes)),
  toleranceSeconds: z.int(),
  active: z.boolean(),
  previousSecretExpiresAt: instant.nullable(),
  createdAt: instant,
});

/** A source with its signing secret: the answer to create and rotate, and nothing else. */
const webhookSourceWithSecretOutput = webhookSourceOutput.extend({ secret: z.string() });

/** The listing form of a source. */
export function summarizeWebhookSource(source: WebhookSource): z.infer<typeof webhookSourceOutput> {
  return {
    id: source.id,
    name: source.name,
    url: inboundWebhookPath(source.id),
    secretPrefix: source.secretPrefix,
    allowedEventTypes: source.allowedEventTypes,
    toleranceSeconds: source.toleranceSeconds,
    active: source.isActive,
    previousSecretExpiresAt: source.previousSecretExpiresAt?.toISOString() ?? null,
    createdAt: source.createdAt.toISOString(),
  };
}

const eventTypesSchema = z
  .array(z.enum(inboundEventTypes))
  .min(1, "allow at least one event type")
  .transform((types) => [...new Set(types)]);
const toleranceSchema = z.number().int().min(30).max(3600);

/** Adds an outside system that may send signed events; its secret is in this answer only. */
export const createWebhookSource = defineCommand({
  name: "webhook_sources.create",
  summary:
    "Add an outside system that may book or cancel through signed webhooks; the signing secret is shown only once.",
  access: tenantManagers,
  output: webhookSourceWithSecretOutput,
  input: z.object({
    name: z.string().trim().min(1).max(100),
    allowedEventTypes: eventTypesSchema.default([...inboundEventTypes]),
    toleranceSeconds: toleranceSchema.default(300),
  }),
  async run(context, input) {
    const tenant = tenantOf(context);
    const id = newId(idPrefixes.webhookSource);
    const { secret, prefix } = issueWebhookSecret();
    const source = context.em.create(WebhookSource, {
      id,
      tenant: tenant.id,
      name: input.name,
      secretPrefix: prefix,
      secretCiphertext: sealWebhookSecret(context.services.secrets.keyPepper, id, secret),
      toleranceSeconds: input.toleranceSeconds,
      allowedEventTypes: input.allowedEventTypes,
      isActive: true,
      createdAt: new Date(),
    });
    auditSource(context, "webhook_source.created", source, { name: source.name, prefix });
    await context.em.flush();
    return { ...summarizeWebhookSource(source), secret };
  },
});

/** Lists the tenant's webhook sources without their secrets. */
export const listWebhookSources = defineCommand({
  name: "webhook_sources.list",
  summary: "List the tenant's webhook sources (never their secrets).",
  access: tenantManagers,
  output: z.object({ data: z.array(webhookSourceOutput) }),
  input: z.object({}),
  async run({ em }) {
    const sources = await em.find(WebhookSource, {}, { orderBy: { id: "asc" } });
    return { data: sources.map(summarizeWebhookSource) };
  },
});

/** Changes a source's name, allowed types, tolerance, or switches it off and on. */
export const updateWebhookSource = defineCommand({
  name: "webhook_sources.update",
  summary:
    "Rename a webhook source, change the event types it may send or its timestamp tolerance, or deactivate it.",
  access: tenantManagers,
  output: webhookSourceOutput,
  input: z
    .object({
      id: idSchema,
      name: z.string().trim().min(1).max(100).optional(),
      allowedEventTypes: eventTypesSchema.optional(),
      toleranceSeconds: toleranceSchema.optional(),
      active: z.boolean().optional(),
    })
    .refine(({ id: _id, ...changes }) => Object.values(changes).some((v) => v !== undefined), {
      message: "give at least one of name, allowedEventTypes, toleranceSeconds, active",
    }),
  async run(context, input) {
    const source = await findSource(context.em, input.id);
    if (input.name !== undefined) source.name = input.name;
    if (input.allowedEventTypes !== undefined) source.allowedEventTypes = input.allowedEventTypes;
    if (input.toleranceSeconds !== undefined) source.toleranceSeconds = input.toleranceSeconds;
    if (input.active !== undefined) source.isActive = input.active;
    const { id: _id, ...changes } = input;
    auditSource(context, "webhook_source.updated", source, changes);
    await context.em.flush();
    return summarizeWebhookSource(source);
  },
});

/** Deletes a source and the record of its events; its deliveries are 404 from then on. */
export const deleteWebhookSource = defineCommand({
  name: "webhook_sources.delete",
  summary: "Delete a webhook source and its event log; deliveries to it are refused at once.",
  access: tenantManagers,
  output: webhookSourceOutput,
  input: z.object({ id: idSchema }),
  async run(context, input) {
    const source = await findSource(context.em, input.id);
    const summary = summarizeWebhookSource(source);
    await context.em.nativeDelete(InboundEvent, { sourceId: source.id });
    context.em.remove(source);
    auditSource(context, "webhook_source.deleted", source, { name: source.name });
    await context.em.flush();
    return summary;
  },
});

/** Replaces a source's secret; the old one keeps working for `graceSeconds`. */
export const rotateWebhookSourceSecret = defineCommand({
  name: "webhook_sources.rotate_secret",
  summary:
    "Give a webhook source a new signing secret (shown only once); the old one is still accepted for graceSeconds (default 3600).",
  access: tenantManagers,
  output: webhookSourceWithSecretOutput,
  input: z.object({
    id: idSchema,
    graceSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400)
      .default(3600),
  }),
  async run(context, input) {
    const source = await findSource(context.em, input.id);
    const { secret, prefix } = issueWebhookSecret();
    const pepper = context.services.secrets.keyPepper;
    source.previousSecretCiphertext = input.graceSeconds > 0 ? source.secretCiphertext : null;
    source.previousSecretExpiresAt =
      input.graceSeconds > 0 ? new Date(Date.now() + input.graceSeconds * 1000) : null;
    source.secretCiphertext = sealWebhookSecret(pepper, source.id, secret);
    source.secretPrefix = prefix;
    auditSource(context, "webhook_source.secret_rotated", source, {
      prefix,
      graceSeconds: input.graceSeconds,
    });
    await context.em.flush();
    return { ...summarizeWebhookSource(source), secret };
  },
});

async function findSource(em: EntityManager, id: string): Promise<WebhookSource> {
  const source = await em.findOne(WebhookSource, { id });
  if (!source) throw errors.notFound("webhook source", id);
  return source;
}

function auditSource(
  context: CommandContext,
  action: string,
  source: WebhookSource,
  summary: Record<string, unknown>,
): void {
  recordAudit(context.em, context.origin, {
    tenantId: tenantOf(context).id,
    action,
    entityType: "webhook_source",
    entityId: source.id,
    summary,
  });
}

/** The body an outside system posts: its own unique event id, what to do, and the input. */
export const inboundEnvelopeSchema = z.object({
  id: z
    .string()
    .regex(/^[\x21-\x7e]{1,200}$/, "use 1–200 visible ASCII characters, unique per event"),
  type: z.enum(inboundEventTypes),
  data: z.record(z.string(), z.unknown()),
});

/** A received event, as its envelope says. */
export type InboundEnvelope = z.infer<typeof inboundEnvelopeSchema>;

/** The command each event type runs, with the input its `data` gives. */
const eventCommands: Record<InboundEventType, AnyCommand> = {
  "booking.create": createBookingCommand,
  "booking.cancel": cancelBookingCommand,
  "booking.reschedule": rescheduleBookingCommand,
  "hold.create": createHoldCommand,
  "hold.release": releaseHoldCommand,
};

/** Event types whose command creates something (answered like a create call). */
export const creatingEventTypes: ReadonlySet<InboundEventType> = new Set([
  "booking.create",
  "hold.create",
]);

/** An event's recorded outcome, as a replay answers it. */
export const inboundEventOutcome = z.object({
  id: z.string(),
  type: z.string(),
  status: z.enum(inboundEventStatuses),
  resultId: z.string().nullable(),
  errorCode: z.string().nullable(),
  receivedAt: instant,
  completedAt: instant.nullable(),
});

/** What a delivery came to: the command's answer or refusal, or an earlier delivery's outcome. */
export type DeliveryResult =
  | { kind: "applied"; output: unknown }
  | { kind: "refused"; error: AppError }
  | { kind: "duplicate"; outcome: z.infer<typeof inboundEventOutcome> };

/** Where a delivery came from, for the audit trail of what its command changes. */
export interface DeliveryOrigin {
  ipAddress?: string | undefined;
  requestId?: string | undefined;
}

/**
 * Finds a source by id across tenants. Deliberately unscoped: the source, found by the id in
 * the path and proven by the signature, is what names the tenant.
 */
export async function findWebhookSourceUnscoped(
  services: EngineServices,
  id: string,
): Promise<WebhookSource | undefined> {
  const source = await services.db
    .fork()
    .findOne(WebhookSource, { id, isActive: true }, { filters: false });
  return source ?? undefined;
}

/** The secrets a source's signatures may be made with now: current, then the previous one. */
export function signingSecretsOf(services: EngineServices, source: WebhookSource): string[] {
  const pepper = services.secrets.keyPepper;
  const sealed = [source.secretCiphertext];
  const expires = source.previousSecretExpiresAt;
  if (source.previousSecretCiphertext && expires && expires.getTime() > Date.now()) {
    sealed.push(source.previousSecretCiphertext);
  }
  return sealed
    .map((value) => openWebhookSecret(pepper, source.id, value))
    .filter((secret): secret is string => secret !== undefined);
}

/**
 * Runs a verified event once: refuses a type the source may not send, claims the event id
 * (the unique key decides between concurrent deliveries), runs the event's command as the
 * source, and records the outcome. A delivery that loses the claim answers the winner's
 * outcome once it is known.
 */
export async function deliverInboundEvent(
  services: EngineServices,
  source: WebhookSource,
  event: InboundEnvelope,
  origin: DeliveryOrigin,
): Promise<DeliveryResult> {
  if (!source.allowedEventTypes.includes(event.type)) {
    throw errors.eventTypeNotAllowed(event.type, source.allowedEventTypes);
  }
  const em = services.db.forkForTenant(source.tenant);
  const claim =
    (await claimEvent(em, source, event)) ?? (await takeOverStaleClaim(em, source, event));
  if (!claim) return { kind: "duplicate", outcome: await settledOutcome(services, source, event) };

  let result: DeliveryResult;
  try {
    result = await runEventCommand(services, source, event, origin);
  } catch (err) {
    await releaseClaim(em, claim);
    throw err;
  }
  if (result.kind === "refused" && retryableCodes.has(result.error.code)) {
    await releaseClaim(em, claim);
  } else {
    await recordOutcome(em, claim, result);
  }
  return result;
}

/** Refusals a later delivery of the same event may overcome: the claim is given up. */
const retryableCodes: ReadonlySet<ErrorCode> = new Set([
  "unavailable",
  "internal_error",
  "rate_limited",
  "plan_limit_reached",
  "tenant_suspended",
]);

async function claimEvent(
  em: EntityManager,
  source: WebhookSource,
  event: InboundEnvelope,
): Promise<string | undefined> {
  const id = newId(idPrefixes.inboundEvent);
  try {
    await em.insert(InboundEvent, {
      id,
      tenant: source.tenant,
      sourceId: source.id,
      eventId: event.id,
      type: event.type,
      status: "processing",
      receivedAt: new Date(),
    });
    return id;
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) return undefined;
    throw err;
  }
}

/** How long a claim may stay unsettled before a new delivery may take it over. */
const staleClaimMs = 60_000;

/**
 * Takes over the claim of a delivery that never settled (its node stopped mid-command), so a
 * redelivery is not refused forever. The conditional update lets one taker win; a create run
 * again finds what the first run made through its idempotency key.
 */
async function takeOverStaleClaim(
  em: EntityManager,
  source: WebhookSource,
  event: InboundEnvelope,
): Promise<string | undefined> {
  const staleBefore = new Date(Date.now() - staleClaimMs);
  const where = { sourceId: source.id, eventId: event.id, status: "processing" as const };
  const row = await em.findOne(InboundEvent, { ...where, receivedAt: { $lt: staleBefore } });
  if (!row) return undefined;
  const taken = await em.nativeUpdate(
    InboundEvent,
    { ...where, id: row.id, receivedAt: { $lt: staleBefore } },
    { receivedAt: new Date() },
  );
  if (taken !== 1) return undefined;
  log.warn({ sourceId: source.id, eventId: event.id }, "took over a stale inbound event claim");
  return row.id;
}

/** The principal an event's command runs as: an agent-scoped caller of the source's tenant. */
function sourcePrincipal(source: WebhookSource): Principal {
  return {
    kind: "agent",
    tenantId: source.tenant,
    keyId: source.id,
    mode: "live",
    allowedOrigins: [],
  };
}

async function runEventCommand(
  services: EngineServices,
  source: WebhookSource,
  event: InboundEnvelope,
  origin: DeliveryOrigin,
): Promise<DeliveryResult> {
  const command = eventCommands[event.type];
  try {
    const output = await executeCommand(services, command, {
      input: event.data,
      principal: sourcePrincipal(source),
      protocol: "webhook",
      ipAddress: origin.ipAddress,
      requestId: origin.requestId,
      // A create retried after a lost claim makes the same booking, not a second one.
      idempotencyKey: command.idempotent ? `webhook:${source.id}:${event.id}` : undefined,
    });
    return { kind: "applied", output };
  } catch (err) {
    if (isAppError(err) && err.code !== "internal_error") return { kind: "refused", error: err };
    throw err;
  }
}

async function recordOutcome(em: EntityManager, claim: string, result: DeliveryResult) {
  const output = result.kind === "applied" ? result.output : undefined;
  const resultId =
    typeof output === "object" && output !== null && "id" in output ? String(output.id) : null;
  await em.nativeUpdate(
    InboundEvent,
    { id: claim },
    {
      status: result.kind === "applied" ? "applied" : "refused",
      errorCode: result.kind === "refused" ? result.error.code : null,
      resultId,
      completedAt: new Date(),
    },
  );
}

async function releaseClaim(em: EntityManager, claim: string): Promise<void> {
  try {
    await em.nativeDelete(InboundEvent, { id: claim });
  } catch (err) {
    log.error({ err, claim }, "could not release an inbound event's claim");
  }
}

const settleWaitMs = 10_000;
const settlePollMs = 50;

/** The outcome of an event another delivery claimed, waiting a while for it to finish. */
async function settledOutcome(
  services: EngineServices,
  source: WebhookSource,
  event: InboundEnvelope,
): Promise<z.infer<typeof inboundEventOutcome>> {
  const deadline = Date.now() + settleWaitMs;
  for (;;) {
    const row = await services.db
      .forkForTenant(source.tenant)
      .findOne(InboundEvent, { sourceId: source.id, eventId: event.id });
    // Gone: the claim was given up after a retryable refusal; the sender retries.
    if (!row) throw errors.unavailable(`event ${event.id} could not be applied yet; retry`);
    if (row.status !== "processing") return outcomeOf(row);
    if (Date.now() > deadline) {
      throw errors.conflict(`event ${event.id} is still being applied; retry later`);
    }
    await new Promise((resolve) => setTimeout(resolve, settlePollMs));
  }
}

function outcomeOf(row: InboundEvent): z.infer<typeof inboundEventOutcome> {
  return {
    id: row.eventId,
    type: row.type,
    status: row.status,
    resultId: row.resultId,
    errorCode: row.errorCode,
    receivedAt: row.receivedAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
  };
}

/** A replay's answer: the event was seen before, and this is what came of it. */
export const duplicateDeliveryOutput = z.object({
  duplicate: z.literal(true),
  event: inboundEventOutcome,
});

/**
 * The receiving endpoint as the API document describes it. The inbound webhook adapter
 * serves it (it needs the raw body to check the signature); this command only documents it.
 */
export const receiveInboundEvent = defineCommand({
  name: "webhooks.receive",
  summary:
    'Receive a signed event from an outside system and run it as a booking or hold command. Sign "<t>.<raw body>" with HMAC-SHA-256 under the source\'s secret and send VBWD-Signature: t=<unix seconds>,v1=<hex>. A create answers 201; a replayed event id answers 200 with duplicate: true and the first outcome.',
  access: { kind: "public" },
  output: z.union([bookingOutput, holdOutput, releasedHoldOutput, duplicateDeliveryOutput]),
  input: inboundEnvelopeSchema.extend({ sourceId: idSchema }),
  async run() {
    throw new AppError("internal_error", "webhooks.receive is served by the webhook adapter");
  },
});
