import type { Knex } from "@mikro-orm/knex";
import type { Actor, ActorContext, ActorKind, Outcome } from "../../actors/index.js";
import type { Database } from "../store/database.js";
import { idPrefixes, newId } from "../store/ids.js";
import { writeFenced, insertChunks } from "./fenced-writes.js";
import { knexOf } from "./knex-access.js";

/** What the outbox actor needs from outside the engine: sending, secrets, telling tenants. */
export interface OutboxDeps {
  db: Database;
  settings: { retryBaseMs: number; giveUpAfterMs: number };
  /** Sends one attempt of a delivery. */
  send(message: { url: string; secret: string; id: string; body: string }): Promise<{
    ok: boolean;
    statusCode: number | null;
    error: string | null;
    durationMs: number;
  }>;
  /** The plain signing secret of an endpoint; undefined when it cannot be opened. */
  openSecret(endpointId: string, sealed: string): string | undefined;
  /**
   * Told about events once their fan-out is recorded (customer messages ride on this); not
   * awaited, so a slow mail or SMS provider never holds up webhooks.
   */
  dispatched(
    events: { id: string; tenantId: string; type: string; data: Record<string, unknown> }[],
  ): Promise<void>;
  /** Told once when an endpoint is turned off because its retries ran out. */
  endpointDisabled(endpoint: { id: string; tenantId: string; url: string; reason: string }): void;
}

/** What an outbox actor understands: look for work now. */
export type OutboxMessage = { op: "drain" };

/** Events fanned out per round, deliveries looked at per round. */
const fanOutBatch = 200;
const deliveryBatch = 200;
/** Chains of one endpoint and one booking sent at once; each chain stays in order. */
const parallelChains = 8;
/** The longest wait between two attempts. */
const maxRetryDelayMs = 6 * 3_600_000;
const retryTimer = "retry";
/**
 * Drains of one partition start at least this far apart: under load the events of many
 * commits then go out in one batch (a few queries for all of them) instead of one each.
 */
const minDrainGapMs = 100;

/** Actors `outbox:<n>`: the one worker of outbox partition n, wherever its shard lives. */
export function outboxActorKind(deps: OutboxDeps): ActorKind<OutboxMessage, unknown> {
  const knex = knexOf(deps.db);
  const mysql = deps.db.target.dialect === "mysql";
  return {
    kind: "outbox",
    create: (context) => new OutboxActor(context, deps, knex, mysql),
  };
}

interface PendingEvent {
  seq: number;
  id: string;
  tenant_id: string;
  ordering_key: string;
  type: string;
  payload: unknown;
  created_at_ms: number;
}

interface EndpointRow {
  id: string;
  tenant_id: string;
  url: string;
  events: unknown;
  secret_ciphertext: string;
  is_active: number | boolean;
}

interface DeliveryRow {
  id: string;
  tenant_id: string;
  endpoint_id: string;
  event_id: string;
  ordering_key: string;
  body: string;
  attempts: number;
  next_attempt_at_ms: number;
  created_at_ms: number;
}

/**
 * Fans the partition's new outbox events out to the subscribed endpoints of their tenants, then
 * sends what is due: deliveries of one endpoint and one booking strictly in event order (a
 * failing one holds back the later ones), retried with exponential backoff and jitter until
 * `giveUpAfterMs`, when the endpoint is turned off and its tenant told. Every write is fenced
 * by the shard's epoch, so a worker that lost its shard cannot record anything. Delivery is at
 * least once: a send whose outcome was not written before a crash is sent again, with the same
 * `webhook-id`.
 */
class OutboxActor implements Actor<OutboxMessage, unknown> {
  private readonly partition: number;
  private scheduledAt: number | undefined;
  private lastDrainAt = 0;

  constructor(
    private readonly context: ActorContext,
    private readonly deps: OutboxDeps,
    private readonly knex: Knex,
    private readonly mysql: boolean,
  ) {
    this.partition = Number(context.id);
  }

  /** Any number of waiting nudges are one drain. */
  async onMessages(batch: readonly OutboxMessage[]): Promise<readonly Outcome<unknown>[]> {
    await this.drain();
    return batch.map(() => ({ ok: true, value: { drained: true } }));
  }

  async onTimer(): Promise<void> {
    this.scheduledAt = undefined;
    await this.drain();
  }

  private get fence() {
    return { shard: this.context.shard, epoch: this.context.epoch };
  }

  private async drain(): Promise<void> {
    // Waiting inside the turn lets more nudges pile up; the next turn takes them all at once.
    const wait = this.lastDrainAt + minDrainGapMs - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    this.lastDrainAt = Date.now();
    while ((await this.fanOut()) === fanOutBatch) {
      // A full batch: there may be more waiting.
    }
    const nextDue = await this.deliverDue();
    if (nextDue !== undefined && nextDue !== this.scheduledAt) {
      this.scheduledAt = nextDue;
      await this.context.timers.schedule(retryTimer, nextDue);
    }
  }

  /** Turns new events into deliveries; answers how many events it took. */
  private async fanOut(): Promise<number> {
    const events: PendingEvent[] = await this.knex("outbox_events")
      .select("seq", "id", "tenant_id", "ordering_key", "type", "payload", "created_at_ms")
      .where({ partition_no: this.partition })
      .whereNull("dispatched_at_ms")
      .orderBy("seq")
      .limit(fanOutBatch);
    if (events.length === 0) return 0;
    const tenants = [...new Set(events.map((event) => event.tenant_id))];
    const endpoints: EndpointRow[] = await this.knex("webhook_endpoints")
      .select("id", "tenant_id", "events")
      .whereIn("tenant_id", tenants)
      .andWhere({ is_active: 1 });
    const now = Date.now();
    const deliveries = events.flatMap((event) =>
      endpoints
        .filter((endpoint) => endpoint.tenant_id === event.tenant_id)
        .filter((endpoint) => subscribes(endpoint.events, event.type))
        .map((endpoint) => ({
          id: newId(idPrefixes.webhookDelivery),
          tenant_id: event.tenant_id,
          endpoint_id: endpoint.id,
          event_id: event.id,
          event_seq: event.seq,
          event_type: event.type,
          partition_no: this.partition,
          ordering_key: event.ordering_key,
          body: messageBody(event),
          status: "pending",
          attempts: 0,
          next_attempt_at_ms: now,
          created_at_ms: now,
        })),
    );
    const seqs = events.map((event) => event.seq);
    await writeFenced(this.knex, this.fence, this.mysql, (trx) => [
      ...insertChunks(trx, "webhook_deliveries", deliveries, 50),
      trx("outbox_events").whereIn("seq", seqs).update({ dispatched_at_ms: now }),
    ]);
    const dispatched = events.map((event) => ({
      id: event.id,
      tenantId: event.tenant_id,
      type: event.type,
      data: (typeof event.payload === "string"
        ? JSON.parse(event.payload)
        : event.payload) as Record<string, unknown>,
    }));
    void this.deps.dispatched(dispatched).catch((error: unknown) => {
      this.context.log.warn({ err: error }, "messages for dispatched events failed");
    });
    return events.length;
  }

  /**
   * Sends every due delivery that is first in its chain; answers when the next one falls due,
   * if any is waiting.
   */
  private async deliverDue(): Promise<number | undefined> {
    const pending: DeliveryRow[] = await this.knex("webhook_deliveries")
      .select(
        "id",
        "tenant_id",
        "endpoint_id",
        "event_id",
        "ordering_key",
        "body",
        "attempts",
        "next_attempt_at_ms",
        "created_at_ms",
      )
      .where({ partition_no: this.partition, status: "pending" })
      .orderBy([{ column: "event_seq" }, { column: "id" }])
      .limit(deliveryBatch);
    if (pending.length === 0) return undefined;

    const chains = new Map<string, DeliveryRow[]>();
    for (const delivery of pending) {
      const key = `${delivery.endpoint_id}/${delivery.ordering_key}`;
      const chain = chains.get(key);
      if (chain) chain.push(delivery);
      else chains.set(key, [delivery]);
    }
    const endpoints = await this.endpointsOf(pending);
    const now = Date.now();
    let nextDue = pending.length === deliveryBatch ? now + 1_000 : undefined;
    const due: DeliveryRow[][] = [];
    for (const chain of chains.values()) {
      const head = Number(chain[0]!.next_attempt_at_ms);
      if (head <= now) due.push(chain);
      else nextDue = Math.min(nextDue ?? head, head);
    }

    const results = await inParallel(due, parallelChains, (chain) =>
      this.sendChain(chain, endpoints),
    );
    for (const retryAt of results) {
      if (retryAt !== undefined) nextDue = Math.min(nextDue ?? retryAt, retryAt);
    }
    return nextDue;
  }

  private async endpointsOf(deliveries: DeliveryRow[]): Promise<Map<string, EndpointRow>> {
    const ids = [...new Set(deliveries.map((delivery) => delivery.endpoint_id))];
    const rows: EndpointRow[] = await this.knex("webhook_endpoints")
      .select("id", "tenant_id", "url", "events", "secret_ciphertext", "is_active")
      .whereIn("id", ids);
    return new Map(rows.map((row) => [row.id, row]));
  }

  /** Sends a chain in order until one fails; answers when that one is retried. */
  private async sendChain(
    chain: DeliveryRow[],
    endpoints: Map<string, EndpointRow>,
  ): Promise<number | undefined> {
    for (const delivery of chain) {
      const endpoint = endpoints.get(delivery.endpoint_id);
      if (!endpoint || !endpoint.is_active) {
        await this.finish(delivery, "failed", null, "the endpoint was removed or turned off");
        continue;
      }
      const secret = this.deps.openSecret(endpoint.id, endpoint.secret_ciphertext);
      if (!secret) {
        await this.finish(delivery, "failed", null, "the endpoint's secret cannot be opened");
        continue;
      }
      const result = await this.deps.send({
        url: endpoint.url,
        secret,
        id: delivery.event_id,
        body: delivery.body,
      });
      const attempts = delivery.attempts + 1;
      const attempt = {
        id: newId(idPrefixes.webhookAttempt),
        tenant_id: delivery.tenant_id,
        delivery_id: delivery.id,
        attempt: attempts,
        status_code: result.statusCode,
        error: result.error?.slice(0, 480) ?? null,
        duration_ms: result.durationMs,
        at_ms: Date.now(),
      };
      if (result.ok) {
        await this.record(delivery.id, attempt, {
          status: "delivered",
          attempts,
          last_status_code: result.statusCode,
          last_error: null,
          delivered_at_ms: attempt.at_ms,
        });
        continue;
      }
      const givingUp =
        attempt.at_ms - Number(delivery.created_at_ms) >= this.deps.settings.giveUpAfterMs;
      if (givingUp) {
        await this.record(delivery.id, attempt, {
          status: "failed",
          attempts,
          last_status_code: result.statusCode,
          last_error: attempt.error,
        });
        await this.disable(endpoint, attempt.error ?? "deliveries kept failing");
        return undefined;
      }
      const retryAt = attempt.at_ms + retryDelay(this.deps.settings.retryBaseMs, attempts);
      await this.record(delivery.id, attempt, {
        attempts,
        next_attempt_at_ms: retryAt,
        last_status_code: result.statusCode,
        last_error: attempt.error,
      });
      return retryAt;
    }
    return undefined;
  }

  private async record(deliveryId: string, attempt: object, changes: object): Promise<void> {
    await writeFenced(this.knex, this.fence, this.mysql, (trx) => [
      trx("webhook_deliveries").where({ id: deliveryId }).update(changes),
      trx("webhook_attempts").insert(attempt),
    ]);
  }

  private async finish(
    delivery: DeliveryRow,
    status: "failed",
    statusCode: number | null,
    error: string,
  ): Promise<void> {
    await writeFenced(this.knex, this.fence, this.mysql, (trx) => [
      trx("webhook_deliveries")
        .where({ id: delivery.id })
        .update({ status, last_status_code: statusCode, last_error: error }),
    ]);
  }

  /** Turns the endpoint off after its retries ran out; what still waits for it fails too. */
  private async disable(endpoint: EndpointRow, lastError: string): Promise<void> {
    const reason =
      `deliveries failed for ${Math.round(this.deps.settings.giveUpAfterMs / 3_600_000)} h; last error: ${lastError}`.slice(
        0,
        300,
      );
    await writeFenced(this.knex, this.fence, this.mysql, (trx) => [
      trx("webhook_endpoints").where({ id: endpoint.id, is_active: 1 }).update({
        is_active: 0,
        disabled_reason: reason,
        disabled_at: new Date(),
        updated_at: new Date(),
      }),
    ]);
    this.deps.endpointDisabled({
      id: endpoint.id,
      tenantId: endpoint.tenant_id,
      url: endpoint.url,
      reason,
    });
  }
}

/** Whether an endpoint's event list (JSON) includes the type. */
function subscribes(events: unknown, type: string): boolean {
  const list = typeof events === "string" ? (JSON.parse(events) as unknown) : events;
  return Array.isArray(list) && (list.includes(type) || list.includes("*"));
}

/** The Standard Webhooks body: type, when it happened, and the object as the API shows it. */
function messageBody(event: PendingEvent): string {
  const data = typeof event.payload === "string" ? JSON.parse(event.payload) : event.payload;
  return JSON.stringify({
    type: event.type,
    timestamp: new Date(Number(event.created_at_ms)).toISOString(),
    data,
  });
}

/** base·2^(n−1), between half and one and a half times that, never more than six hours. */
export function retryDelay(baseMs: number, attempts: number): number {
  const exponential = baseMs * 2 ** Math.min(attempts - 1, 30);
  return Math.round(Math.min(exponential, maxRetryDelayMs) * (0.5 + Math.random()));
}

/** Runs `work` over the items with at most `limit` at once, answers in item order. */
async function inParallel<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>) {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  });
  await Promise.all(workers);
  return results;
}
