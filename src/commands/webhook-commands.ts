import { z } from "zod";
import { errors } from "../domain/app-error.js";
import { webhookEventTypes } from "../domain/webhook-events.js";
import { WebhookAttempt, WebhookDelivery, WebhookEndpoint } from "../store/entities/index.js";
import { idPrefixes, newId } from "../store/ids.js";
import { outboxPartitionOf } from "../store/outbox-rows.js";
import { recordAudit } from "../tenants/audit.js";
import { openWebhookSecret, sealWebhookSecret } from "../tenants/webhook-secrets.js";
import {
  issueEndpointSecret,
  privateTargetProblem,
  sendWebhook,
  webhookTimeoutMs,
} from "../notify/webhook-delivery.js";
import { defineCommand, tenantOf, type CommandContext, tenantManagers } from "./command.js";
import { nudgeOutbox } from "./outbox-nudge.js";
import { idSchema, pageLimitSchema } from "./schemas.js";

// Tenants' outbound webhooks: endpoints that receive signed events of the types they chose,
// their delivery log, a test ping and replays. Deliveries themselves are the outbox workers'.

const instant = z.iso.datetime({ offset: true });

/** An endpoint as listed: never its secret, only the secret's first characters. */
const endpointOutput = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string().nullable(),
  events: z.array(z.string()),
  secretPrefix: z.string(),
  enabled: z.boolean(),
  disabledReason: z.string().nullable(),
  createdAt: instant,
});
const endpointWithSecretOutput = endpointOutput.extend({ secret: z.string() });

const deliveryOutput = z.object({
  id: z.string(),
  endpointId: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  status: z.enum(["pending", "delivered", "failed"]),
  attempts: z.int(),
  lastStatusCode: z.int().nullable(),
  lastError: z.string().nullable(),
  nextAttemptAt: instant.nullable(),
  createdAt: instant,
  deliveredAt: instant.nullable(),
  log: z.array(
    z.object({
      attempt: z.int(),
      statusCode: z.int().nullable(),
      error: z.string().nullable(),
      durationMs: z.int(),
      at: instant,
    }),
  ),
});

const pingOutput = z.object({
  delivered: z.boolean(),
  statusCode: z.int().nullable(),
  error: z.string().nullable(),
  durationMs: z.int(),
  deliveryId: z.string(),
});

/** An https URL, or http for tests and private networks; never with credentials in it. */
const endpointUrl = z
  .url({ protocol: /^https?$/, error: "expected an http(s) URL" })
  .max(2000)
  .refine((url) => !URL.canParse(url) || !/^[a-z]+:\/\/[^/]*@/i.test(url), {
    message: "the URL may not carry a user name or password; authenticate by the signature",
  });

const eventsSchema = z
  .array(z.enum(["*", ...webhookEventTypes]))
  .min(1, "subscribe to at least one event type, or to * for all")
  .transform((types) => [...new Set(types)]);

function summarize(endpoint: WebhookEndpoint): z.infer<typeof endpointOutput> {
  return {
    id: endpoint.id,
    url: endpoint.url,
    description: endpoint.description,
    events: endpoint.events,
    secretPrefix: endpoint.secretPrefix,
    enabled: endpoint.isActive,
    disabledReason: endpoint.disabledReason,
    createdAt: endpoint.createdAt.toISOString(),
  };
}

/** Refuses targets the outbox would refuse, so the mistake shows when it is made. */
async function checkTarget(context: CommandContext, url: string): Promise<void> {
  if (context.services.config.webhooks.allowPrivateTargets) return;
  const problem = await privateTargetProblem(new URL(url).hostname);
  if (problem) throw errors.invalidInput([{ path: "url", message: problem }]);
}

async function findEndpoint(context: CommandContext, id: string): Promise<WebhookEndpoint> {
  const endpoint = await context.em.findOne(WebhookEndpoint, { id });
  if (!endpoint) throw errors.notFound("webhook endpoint", id);
  return endpoint;
}

function audit(
  context: CommandContext,
  endpointId: string,
  action: string,
  summary: Record<string, unknown>,
): void {
  recordAudit(context.em, context.origin, {
    tenantId: tenantOf(context).id,
    action,
    entityType: "webhook_endpoint",
    entityId: endpointId,
    summary,
  });
}

export const createWebhookEndpoint = defineCommand({
  name: "webhooks.create",
  summary:
    "Add an endpoint that receives signed events (Standard Webhooks); the signing secret is shown only once.",
  access: tenantManagers,
  output: endpointWithSecretOutput,
  idempotent: true,
  input: z.object({
    url: endpointUrl,
    events: eventsSchema,
    description: z.string().trim().max(200).optional(),
  }),
  async run(context, input) {
    await checkTarget(context, input.url);
    const tenant = tenantOf(context);
    const id = newId(idPrefixes.webhookEndpoint);
    const { secret, prefix } = issueEndpointSecret();
    const endpoint = context.em.create(WebhookEndpoint, {
      id,
      tenant: tenant.id,
      url: input.url,
      description: input.description ?? null,
      events: input.events,
      secretPrefix: prefix,
      secretCiphertext: sealWebhookSecret(context.services.secrets.keyPepper, id, secret),
    });
    audit(context, id, "webhook.created", { url: input.url, events: input.events });
    await context.em.flush();
    return { ...summarize(endpoint), secret };
  },
});

export const listWebhookEndpoints = defineCommand({
  name: "webhooks.list",
  summary: "List the tenant's webhook endpoints (secrets are never shown again).",
  access: tenantManagers,
  output: z.object({ data: z.array(endpointOutput) }),
  input: z.object({}),
  async run(context) {
    const endpoints = await context.em.find(WebhookEndpoint, {}, { orderBy: { createdAt: "asc" } });
    return { data: endpoints.map(summarize) };
  },
});

export const getWebhookEndpoint = defineCommand({
  name: "webhooks.get",
  summary: "Read one webhook endpoint.",
  access: tenantManagers,
  output: endpointOutput,
  input: z.object({ id: idSchema }),
  async run(context, input) {
    return summarize(await findEndpoint(context, input.id));
  },
});

export const updateWebhookEndpoint = defineCommand({
  name: "webhooks.update",
  summary:
    "Change an endpoint's URL, events or description, or turn it off and on (turning on clears why it was turned off).",
  access: tenantManagers,
  output: endpointOutput,
  input: z.object({
    id: idSchema,
    url: endpointUrl.optional(),
    events: eventsSchema.optional(),
    description: z.string().trim().max(200).nullable().optional(),
    enabled: z.boolean().optional(),
  }),
  async run(context, input) {
    const endpoint = await findEndpoint(context, input.id);
    if (input.url !== undefined) {
      await checkTarget(context, input.url);
      endpoint.url = input.url;
    }
    if (input.events !== undefined) endpoint.events = input.events;
    if (input.description !== undefined) endpoint.description = input.description;
    if (input.enabled !== undefined) {
      endpoint.isActive = input.enabled;
      if (input.enabled) {
        endpoint.disabledReason = null;
        endpoint.disabledAt = null;
      }
    }
    audit(context, endpoint.id, "webhook.updated", {
      url: input.url,
      events: input.events,
      enabled: input.enabled,
    });
    await context.em.flush();
    return summarize(endpoint);
  },
});

export const deleteWebhookEndpoint = defineCommand({
  name: "webhooks.delete",
  summary: "Remove an endpoint; deliveries still waiting for it are dropped as failed.",
  access: tenantManagers,
  output: z.object({ id: z.string(), deleted: z.literal(true) }),
  input: z.object({ id: idSchema }),
  async run(context, input) {
    const endpoint = await findEndpoint(context, input.id);
    context.em.remove(endpoint);
    audit(context, endpoint.id, "webhook.deleted", {});
    await context.em.flush();
    return { id: input.id, deleted: true as const };
  },
});

export const rotateWebhookEndpointSecret = defineCommand({
  name: "webhooks.rotate_secret",
  summary: "Give an endpoint a new signing secret, shown only in this answer; the old one stops.",
  access: tenantManagers,
  output: endpointWithSecretOutput,
  input: z.object({ id: idSchema }),
  async run(context, input) {
    const endpoint = await findEndpoint(context, input.id);
    const { secret, prefix } = issueEndpointSecret();
    endpoint.secretPrefix = prefix;
    endpoint.secretCiphertext = sealWebhookSecret(
      context.services.secrets.keyPepper,
      endpoint.id,
      secret,
    );
    audit(context, endpoint.id, "webhook.secret_rotated", {});
    await context.em.flush();
    return { ...summarize(endpoint), secret };
  },
});

export const pingWebhookEndpoint = defineCommand({
  name: "webhooks.ping",
  summary:
    "Send a signed `webhook.ping` to the endpoint now and answer what it said (kept in the delivery log, never retried).",
  access: tenantManagers,
  output: pingOutput,
  input: z.object({ id: idSchema }),
  async run(context, input) {
    const endpoint = await findEndpoint(context, input.id);
    const secret = openWebhookSecret(
      context.services.secrets.keyPepper,
      endpoint.id,
      endpoint.secretCiphertext,
    );
    if (!secret) throw errors.conflict("the endpoint's secret cannot be read; rotate it");
    const eventId = newId(idPrefixes.outboxEvent);
    const now = Date.now();
    const body = JSON.stringify({
      type: "webhook.ping",
      timestamp: new Date(now).toISOString(),
      data: { endpointId: endpoint.id },
    });
    const result = await sendWebhook(
      { url: endpoint.url, secret, id: eventId, body },
      {
        timeoutMs: webhookTimeoutMs,
        allowPrivateTargets: context.services.config.webhooks.allowPrivateTargets,
      },
    );
    const delivery = context.em.create(WebhookDelivery, {
      id: newId(idPrefixes.webhookDelivery),
      tenant: endpoint.tenant,
      endpointId: endpoint.id,
      eventId,
      eventSeq: 0,
      eventType: "webhook.ping",
      partitionNo: outboxPartitionOf(endpoint.id),
      orderingKey: endpoint.id,
      body,
      status: result.ok ? "delivered" : "failed",
      attempts: 1,
      nextAttemptAtMs: now,
      createdAtMs: now,
      lastStatusCode: result.statusCode,
      lastError: result.error,
      deliveredAtMs: result.ok ? Date.now() : null,
    });
    context.em.create(WebhookAttempt, {
      id: newId(idPrefixes.webhookAttempt),
      tenant: endpoint.tenant,
      deliveryId: delivery.id,
      attempt: 1,
      statusCode: result.statusCode,
      error: result.error,
      durationMs: result.durationMs,
      atMs: now,
    });
    await context.em.flush();
    return {
      delivered: result.ok,
      statusCode: result.statusCode,
      error: result.error,
      durationMs: result.durationMs,
      deliveryId: delivery.id,
    };
  },
});

type DeliveryView = z.infer<typeof deliveryOutput>;

async function viewDeliveries(
  context: CommandContext,
  deliveries: WebhookDelivery[],
): Promise<DeliveryView[]> {
  const ids = deliveries.map((delivery) => delivery.id);
  const attempts = ids.length
    ? await context.em.find(
        WebhookAttempt,
        { deliveryId: { $in: ids } },
        { orderBy: { atMs: "asc", attempt: "asc" } },
      )
    : [];
  const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());
  return deliveries.map((delivery) => ({
    id: delivery.id,
    endpointId: delivery.endpointId,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    status: delivery.status,
    attempts: delivery.attempts,
    lastStatusCode: delivery.lastStatusCode,
    lastError: delivery.lastError,
    nextAttemptAt: delivery.status === "pending" ? iso(delivery.nextAttemptAtMs) : null,
    createdAt: iso(delivery.createdAtMs)!,
    deliveredAt: iso(delivery.deliveredAtMs),
    log: attempts
      .filter((attempt) => attempt.deliveryId === delivery.id)
      .map((attempt) => ({
        attempt: attempt.attempt,
        statusCode: attempt.statusCode,
        error: attempt.error,
        durationMs: attempt.durationMs,
        at: iso(attempt.atMs)!,
      })),
  }));
}

export const listWebhookDeliveries = defineCommand({
  name: "webhooks.deliveries",
  summary:
    "The endpoint's delivery log, newest first: each event's status, attempts and the status codes answered.",
  access: tenantManagers,
  output: z.object({ data: z.array(deliveryOutput) }),
  input: z.object({
    id: idSchema,
    status: z.enum(["pending", "delivered", "failed"]).optional(),
    limit: pageLimitSchema,
  }),
  async run(context, input) {
    await findEndpoint(context, input.id);
    const deliveries = await context.em.find(
      WebhookDelivery,
      { endpointId: input.id, ...(input.status ? { status: input.status } : {}) },
      { orderBy: { createdAtMs: "desc", id: "desc" }, limit: input.limit },
    );
    return { data: await viewDeliveries(context, deliveries) };
  },
});

export const replayWebhookDelivery = defineCommand({
  name: "webhooks.replay",
  summary:
    "Send a delivery's event to its endpoint again (as a new delivery with the same webhook-id), whatever became of it.",
  access: tenantManagers,
  output: deliveryOutput,
  input: z.object({ id: idSchema, deliveryId: idSchema }),
  async run(context, input) {
    const endpoint = await findEndpoint(context, input.id);
    if (!endpoint.isActive) {
      throw errors.conflict("the endpoint is turned off; turn it on before replaying");
    }
    const original = await context.em.findOne(WebhookDelivery, {
      id: input.deliveryId,
      endpointId: endpoint.id,
    });
    if (!original) throw errors.notFound("webhook delivery", input.deliveryId);
    const now = Date.now();
    const replay = context.em.create(WebhookDelivery, {
      id: newId(idPrefixes.webhookDelivery),
      tenant: original.tenant,
      endpointId: endpoint.id,
      eventId: original.eventId,
      eventSeq: original.eventSeq,
      eventType: original.eventType,
      partitionNo: outboxPartitionOf(original.orderingKey),
      orderingKey: original.orderingKey,
      body: original.body,
      status: "pending",
      attempts: 0,
      nextAttemptAtMs: now,
      createdAtMs: now,
    });
    await context.em.flush();
    nudgeOutbox(context.services, original.orderingKey);
    return (await viewDeliveries(context, [replay]))[0]!;
  },
});
