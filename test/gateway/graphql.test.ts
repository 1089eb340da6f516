import { GraphQLError, getIntrospectionQuery } from "graphql";
import { auditServer } from "graphql-http";
import { createClient, type Client } from "graphql-ws";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Redis } from "ioredis";
import WebSocket from "ws";
import { bookingBody, createOffer, slotAt } from "../support/booking-fixtures.js";
import { formatGraphqlError } from "../../src/gateway/graphql/graphql-errors.js";
import { AppError } from "../../src/domain/app-error.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import {
  signUpTenant,
  startTestEngine,
  type ApiAnswer,
  type TestEngine,
  type TestTenant,
} from "../support/engine.js";
import { redisUrl, warnSkipped } from "../support/services.js";

interface Offer {
  calendarId: string;
  serviceId: string;
}

interface Context {
  scratch: ScratchDatabase;
  engine: TestEngine;
  tenant: TestTenant;
  other: TestTenant;
  offer: Offer;
  clients: Client[];
}

let codes = 0;
const nextCode = (name: string) => `gql-${name}-${++codes}`;

const graphqlResponse = "application/graphql-response+json";

/** Posts one GraphQL operation to `/graphql`. */
function graphql(
  engine: TestEngine,
  query: string,
  options: { token?: string; variables?: Record<string, unknown>; accept?: string } = {},
): Promise<ApiAnswer> {
  return engine.api("POST", "/graphql", {
    token: options.token,
    body: { query, variables: options.variables },
    headers: { accept: options.accept ?? "application/json" },
  });
}

/** The first error of an answer, with its code and status. */
function firstError(answer: ApiAnswer): { message: string; extensions: Record<string, unknown> } {
  assert.ok(Array.isArray(answer.body.errors), JSON.stringify(answer.body));
  return answer.body.errors[0];
}

const slotFields = "start end remaining";
const bookingFields =
  "id status calendarId serviceId start end customer { name email phone } priceCents currency holdId createdAt updatedAt";

const errorShapes = suite("gateway: GraphQL error shapes");

errorShapes("an unexpected resolver failure is masked as internal_error", () => {
  const leak = new Error("connection to db-7 refused with password hunter2");
  const shaped = formatGraphqlError(new GraphQLError(leak.message, { originalError: leak }));
  assert.ok(shaped instanceof GraphQLError);
  assert.not.match(shaped.message, "hunter2");
  assert.equal(shaped.extensions, { code: "internal_error", status: 500 });
});

errorShapes("an AppError keeps its message and gains code, status and details", () => {
  const refusal = new AppError("invalid_input", "bad start", [{ path: "start", message: "x" }]);
  const shaped = formatGraphqlError(new GraphQLError(refusal.message, { originalError: refusal }));
  assert.is(shaped.message, "bad start");
  assert.equal((shaped as GraphQLError).extensions, {
    code: "invalid_input",
    status: 422,
    details: [{ path: "start", message: "x" }],
  });
});

errorShapes.run();

for (const dialect of dialectsUnderTest()) {
  const api = suite<Context>(`gateway: GraphQL (${dialect.name})`);

  api.before(async (context) => {
    context.scratch = await dialect.create("graphql");
    context.engine = await startTestEngine(context.scratch.target);
    context.tenant = await signUpTenant(context.engine, nextCode("main"));
    context.other = await signUpTenant(context.engine, nextCode("other"));
    context.offer = await createOffer(context.engine, context.tenant);
  });

  api.before.each((context) => {
    context.clients = [];
  });

  api.after.each(async ({ clients }) => {
    await Promise.all(clients.map((client) => client.dispose()));
  });

  api.after(async ({ engine, scratch }) => {
    await engine.stop();
    await scratch.drop();
  });

  function subscriber(context: Context, connectionParams: Record<string, unknown>): Client {
    const client = createClient({
      url: context.engine.url.replace("http", "ws") + "/graphql",
      webSocketImpl: WebSocket,
      connectionParams,
      retryAttempts: 0,
    });
    context.clients.push(client);
    return client;
  }

  api("passes every MUST of the GraphQL-over-HTTP audit", async ({ engine, tenant }) => {
    const results = await auditServer({
      url: `${engine.url}/graphql`,
      fetchFn: (input: string | URL, init: RequestInit = {}) => {
        const headers = new Headers(init.headers);
        headers.set("authorization", `Bearer ${tenant.secretKey}`);
        return fetch(input, { ...init, headers });
      },
    });
    const failedMusts = results.filter(
      (result) => result.name.startsWith("MUST") && result.status === "error",
    );
    assert.ok(results.length > 20, `only ${results.length} audits ran`);
    assert.equal(
      failedMusts.map((result) => `${result.id} ${result.name}`),
      [],
    );
  });

  api("answers a full booking flow the way REST does", async ({ engine, tenant, offer }) => {
    const start = slotAt("10:00");
    const free = await graphql(
      engine,
      `query Free($calendarId: ID!, $serviceId: ID!, $from: DateTime, $to: DateTime) {
        availability(calendarId: $calendarId, serviceId: $serviceId, from: $from, to: $to) {
          calendarId serviceId timezone version slots { ${slotFields} }
        }
      }`,
      {
        token: tenant.publishableKey,
        variables: { ...offer, from: start, to: slotAt("11:00") },
      },
    );
    assert.is(free.status, 200);
    const rest = await engine.api(
      "GET",
      `/api/v1/calendars/${offer.calendarId}/availability?serviceId=${offer.serviceId}&from=${encodeURIComponent(start)}&to=${encodeURIComponent(slotAt("11:00"))}`,
      { token: tenant.publishableKey },
    );
    assert.equal(free.body.data.availability, rest.body);
    assert.is(free.body.data.availability.slots[0].start, start);

    const held = await graphql(
      engine,
      `mutation { hold(input: { calendarId: "${offer.calendarId}", serviceId: "${offer.serviceId}", start: "${start}" }) { id status start expiresAt } }`,
      { token: tenant.publishableKey },
    );
    const hold = held.body.data.hold;
    assert.is(hold.status, "active");
    assert.is(hold.start, start);

    const booked = await graphql(
      engine,
      `mutation Book($input: BookingInput!) { book(input: $input, idempotencyKey: "gql-flow-1") { ${bookingFields} } }`,
      {
        token: tenant.publishableKey,
        variables: {
          input: { ...bookingBody(offer.calendarId, offer.serviceId, start), holdId: hold.id },
        },
      },
    );
    const booking = booked.body.data.book;
    assert.is(booking.status, "confirmed");
    assert.is(booking.holdId, hold.id);

    const read = await graphql(engine, `{ booking(id: "${booking.id}") { ${bookingFields} } }`, {
      token: tenant.secretKey,
    });
    const fromRest = await engine.api("GET", `/api/v1/bookings/${booking.id}`, {
      token: tenant.secretKey,
    });
    assert.equal(read.body.data.booking, fromRest.body);
    assert.equal(booking, fromRest.body);
    const replayed = await graphql(
      engine,
      `
        mutation Book($input: BookingInput!) {
          book(input: $input, idempotencyKey: "gql-flow-1") {
            id
          }
        }
      `,
      {
        token: tenant.publishableKey,
        variables: {
          input: { ...bookingBody(offer.calendarId, offer.serviceId, start), holdId: hold.id },
        },
      },
    );
    assert.equal(replayed.body.data.book, { id: booking.id }, "a retry answers the first booking");

    const listed = await graphql(
      engine,
      `{ bookings(calendarId: "${offer.calendarId}", status: confirmed, limit: 10) { data { id } nextCursor } }`,
      { token: tenant.secretKey },
    );
    assert.equal(listed.body.data.bookings, { data: [{ id: booking.id }], nextCursor: null });

    const cancelled = await graphql(
      engine,
      `mutation { cancelBooking(id: "${booking.id}") { id status } }`,
      { token: tenant.secretKey },
    );
    assert.equal(cancelled.body.data.cancelBooking, { id: booking.id, status: "cancelled" });
    const afterCancel = await engine.api("GET", `/api/v1/bookings/${booking.id}`, {
      token: tenant.secretKey,
    });
    assert.is(afterCancel.body.status, "cancelled");
  });

  api("lists the catalog and usage like REST", async ({ engine, tenant }) => {
    const answer = await graphql(
      engine,
      `
        {
          calendars {
            id
            name
            timezone
            weeklyHours {
              mon
            }
            dateOverrides {
              date
            }
          }
          services {
            id
            name
            durationMinutes
            priceCents
            currency
            calendarIds
          }
          usage {
            period
            bookings {
              used
              limit
              pending
            }
          }
        }
      `,
      { token: tenant.secretKey },
    );
    assert.is(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
    const calendars = await engine.api("GET", "/api/v1/calendars", { token: tenant.secretKey });
    const usage = await engine.api("GET", "/api/v1/usage", { token: tenant.secretKey });
    assert.equal(
      answer.body.data.calendars.map((c: { id: string }) => c.id),
      calendars.body.data.map((c: { id: string }) => c.id),
    );
    assert.equal(answer.body.data.calendars[0].weeklyHours.mon, [["09:00", "17:00"]]);
    assert.is(answer.body.data.services[0].priceCents, 4000);
    assert.equal(answer.body.data.usage.bookings, usage.body.bookings);
  });

  api("maps command errors to codes and statuses", async ({ engine, tenant, other, offer }) => {
    const start = slotAt("12:00");
    const taken = await engine.api("POST", "/api/v1/bookings", {
      token: tenant.secretKey,
      body: bookingBody(offer.calendarId, offer.serviceId, start),
    });
    assert.is(taken.status, 201);
    const holdOn = (calendarId: string) =>
      `mutation { hold(input: { calendarId: "${calendarId}", serviceId: "${offer.serviceId}", start: "${start}" }) { id } }`;

    const conflict = await graphql(engine, holdOn(offer.calendarId), { token: tenant.secretKey });
    assert.is(conflict.status, 200);
    assert.is(conflict.body.data, null);
    assert.equal(firstError(conflict).extensions, { code: "slot_unavailable", status: 409 });

    const badId = await graphql(engine, holdOn("not-a-calendar"), { token: tenant.secretKey });
    assert.is(firstError(badId).extensions.code, "invalid_input");
    assert.is(firstError(badId).extensions.status, 422);
    assert.ok(Array.isArray(firstError(badId).extensions.details));

    const foreign = await graphql(engine, `{ calendar(id: "${offer.calendarId}") { id } }`, {
      token: other.secretKey,
    });
    assert.equal(firstError(foreign).extensions, { code: "not_found", status: 404 });
    const foreignHold = await graphql(engine, holdOn(offer.calendarId), { token: other.secretKey });
    assert.is(firstError(foreignHold).extensions.code, "not_found");

    const anonymous = await graphql(engine, "{ calendars { id } }", { accept: graphqlResponse });
    assert.equal(firstError(anonymous).extensions, { code: "unauthenticated", status: 401 });
    const wrongScheme = await engine.api("POST", "/graphql", {
      body: { query: "{ usage { period } }" },
      headers: { authorization: `Basic ${tenant.secretKey}` },
    });
    assert.is(firstError(wrongScheme).extensions.code, "invalid_credentials");
    const notAllowed = await graphql(engine, "{ usage { period } }", {
      token: tenant.publishableKey,
    });
    assert.is(firstError(notAllowed).extensions.code, "insufficient_scope");
  });

  api("refuses bad documents as request errors", async ({ engine, tenant }) => {
    const broken = await graphql(engine, "{ calendars { id ", {
      token: tenant.secretKey,
      accept: graphqlResponse,
    });
    assert.is(broken.status, 400);
    const noQuery = await engine.api("GET", "/graphql", { token: tenant.secretKey });
    assert.is(noQuery.status, 400);
    assert.is(firstError(noQuery).extensions.code, "malformed_request");
    const unknown = await graphql(engine, "{ nothingHere }", { token: tenant.secretKey });
    assert.is(unknown.status, 200);
    assert.is(unknown.body.data, undefined);
    assert.ok(unknown.body.errors.length > 0);
  });

  api("refuses documents that are too deep or too costly", async ({ engine, tenant }) => {
    const deep = await graphql(
      engine,
      "{ __schema { types { fields { type { fields { type { fields { type { name } } } } } } } } }",
      { token: tenant.secretKey, accept: graphqlResponse },
    );
    assert.is(deep.status, 400);
    assert.is(firstError(deep).extensions.code, "query_too_deep");

    const pages = Array.from(
      { length: 12 },
      (_, n) => `p${n}: bookings(limit: 100) { data { id start end status } }`,
    ).join(" ");
    const costly = await graphql(engine, `{ ${pages} }`, {
      token: tenant.secretKey,
      accept: graphqlResponse,
    });
    assert.is(costly.status, 400);
    assert.is(firstError(costly).extensions.code, "query_too_costly");
    assert.is(costly.body.data, undefined, "nothing ran");

    const affordable = await graphql(engine, `{ ${pages.split(" p2:")[0]} }`, {
      token: tenant.secretKey,
    });
    assert.is(affordable.body.errors, undefined, JSON.stringify(affordable.body.errors));

    const introspection = await graphql(engine, getIntrospectionQuery(), {
      accept: graphqlResponse,
    });
    assert.is(introspection.status, 200);
    assert.ok(introspection.body.data.__schema.types.length > 10);
  });

  api("refuses a body over the limit with 413", async ({ engine, tenant }) => {
    const padding = "x".repeat(engine.config.bodyLimitKb * 1024 + 10);
    const answer = await graphql(engine, `{ calendars { id } } # ${padding}`, {
      token: tenant.secretKey,
    });
    assert.is(answer.status, 413);
    assert.is(firstError(answer).extensions.code, "payload_too_large");
  });

  api("a subscription receives the change after a REST booking", async (context) => {
    const { engine, tenant, offer } = context;
    const client = subscriber(context, { authorization: `Bearer ${tenant.publishableKey}` });
    const pushes = client.iterate<{ availability: Record<string, unknown> }>({
      query: `subscription { availability(calendarId: "${offer.calendarId}", serviceId: "${offer.serviceId}") { calendarId serviceId version reset slots { ${slotFields} } } }`,
    });
    const first = await pushes.next();
    const current = first.value?.data?.availability as { version: number; slots: unknown[] };
    assert.ok(current, JSON.stringify(first.value));
    assert.ok(current.slots.length > 0);

    const start = slotAt("14:00");
    const booked = await engine.api("POST", "/api/v1/bookings", {
      token: tenant.secretKey,
      body: bookingBody(offer.calendarId, offer.serviceId, start, 7),
    });
    assert.is(booked.status, 201);
    const change = (await pushes.next()).value?.data?.availability as {
      version: number;
      reset: boolean;
      serviceId: string;
      slots: { start: string; remaining: number }[];
    };
    assert.is(change.version, current.version + 1);
    assert.is(change.reset, false);
    assert.is(change.serviceId, offer.serviceId);
    assert.equal(
      change.slots.find((slot) => slot.start === start),
      { start, end: slotAt("14:30"), remaining: 0 },
    );
    await pushes.return?.();
  });

  api("another tenant cannot subscribe to the calendar", async (context) => {
    const { other, offer } = context;
    const client = subscriber(context, { token: other.secretKey });
    const pushes = client.iterate({
      query: `subscription { availability(calendarId: "${offer.calendarId}") { version } }`,
    });
    const refused = await pushes.next();
    const errors = refused.value?.errors ?? [];
    assert.is(errors[0]?.extensions?.code, "not_found", JSON.stringify(refused.value));
    assert.is((await pushes.next()).done, true);

    const anonymous = subscriber(context, {}).iterate({
      query: `subscription { availability(calendarId: "${offer.calendarId}") { version } }`,
    });
    const unauthenticated = await anonymous.next();
    assert.is(unauthenticated.value?.errors?.[0]?.extensions?.code, "unauthenticated");
  });

  api("refuses WebSocket upgrades on other paths", async ({ engine }) => {
    const socket = new WebSocket(engine.url.replace("http", "ws") + "/elsewhere");
    const outcome = await new Promise<string>((resolve) => {
      socket.once("open", () => resolve("open"));
      socket.once("error", () => resolve("error"));
    });
    assert.is(outcome, "error");
  });

  api.run();
}

const redis = redisUrl();
if (redis) {
  interface RelayContext {
    scratch: ScratchDatabase;
    engine: TestEngine;
    tenant: TestTenant;
    offer: Offer;
    cluster: string;
    publisher: Redis;
    clients: Client[];
  }
  const sqlite = dialectsUnderTest().find((dialect) => dialect.name === "sqlite")!;
  const relayed = suite<RelayContext>("gateway: GraphQL subscriptions with changes of every node");

  relayed.before(async (context) => {
    context.cluster = `gql-relay-${process.pid}`;
    context.scratch = await sqlite.create("graphql_relay");
    context.engine = await startTestEngine(context.scratch.target, {
      REDIS_URL: redis,
      CLUSTER_NAME: context.cluster,
    });
    context.tenant = await signUpTenant(context.engine, nextCode("relay"));
    context.offer = await createOffer(context.engine, context.tenant);
    context.publisher = new Redis(redis);
    context.clients = [];
  });

  relayed.after(async ({ engine, scratch, publisher, clients }) => {
    await Promise.all(clients.map((client) => client.dispose()));
    publisher.disconnect();
    await engine.stop();
    await scratch.drop();
  });

  type Push = { version: number; reset: boolean; slots: { start: string; remaining: number }[] };

  async function watch(context: RelayContext) {
    const client = createClient({
      url: context.engine.url.replace("http", "ws") + "/graphql",
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${context.tenant.publishableKey}` },
      retryAttempts: 0,
    });
    context.clients.push(client);
    const pushes = client.iterate<{ availability: Push }>({
      query: `subscription { availability(calendarId: "${context.offer.calendarId}", serviceId: "${context.offer.serviceId}") { version reset slots { ${slotFields} } } }`,
    });
    const first = (await pushes.next()).value?.data?.availability;
    assert.ok(first, "no first message");
    // A push that never comes fails the test instead of hanging it.
    const next = async () => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("no push within 5 s")), 5000);
      });
      const result = await Promise.race([pushes.next(), late]).finally(() => clearTimeout(timer));
      return result.value?.data?.availability as Push;
    };
    return { first, next, stop: () => pushes.return?.() };
  }

  /** Publishes a change as another node's relay would. */
  function publishFromElsewhere(context: RelayContext, version: number, start: string) {
    const startMs = Date.parse(start);
    const change = {
      tenantId: context.tenant.id,
      calendarId: context.offer.calendarId,
      version,
      affected: [{ startMs, endMs: startMs + 30 * 60_000 }],
      services: [
        {
          serviceId: context.offer.serviceId,
          slots: [{ start: startMs, end: startMs + 30 * 60_000, remaining: version }],
        },
      ],
      reset: false,
    };
    const message = JSON.stringify({ origin: "another-node", change });
    return context.publisher.publish(`${context.cluster}:availability`, message);
  }

  relayed("a booking on this node is pushed once, not again from Redis", async (context) => {
    const { engine, tenant, offer } = context;
    const subscription = await watch(context);
    for (const [n, time] of [
      [1, "11:00"],
      [2, "11:30"],
    ] as const) {
      const booked = await engine.api("POST", "/api/v1/bookings", {
        token: tenant.secretKey,
        body: bookingBody(offer.calendarId, offer.serviceId, slotAt(time), 7),
      });
      assert.is(booked.status, 201);
      const change = await subscription.next();
      assert.is(change.version, subscription.first.version + n);
    }
    // The second booking's change came right after the first's: no duplicate in between.
    await subscription.stop();
  });

  relayed("changes other nodes publish reach the subscriber, in version order", async (context) => {
    const subscription = await watch(context);
    const base = subscription.first.version;
    const start = slotAt("15:00");
    assert.is(await publishFromElsewhere(context, base + 5, start), 1);
    const far = await subscription.next();
    assert.is(far.version, base + 5);
    assert.equal(far.slots, [{ start, end: slotAt("15:30"), remaining: base + 5 }]);

    // An older change arriving late is dropped; the next newer one comes through.
    await publishFromElsewhere(context, base + 3, start);
    await context.publisher.publish(`${context.cluster}:availability`, "not json");
    await publishFromElsewhere(context, base + 6, start);
    assert.is((await subscription.next()).version, base + 6);
    await subscription.stop();
  });

  relayed.run();
} else {
  warnSkipped("GraphQL subscriptions through Redis", "REDIS_URL is not set");
}
