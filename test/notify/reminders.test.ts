import { suite } from "uvu";
import * as assert from "uvu/assert";
import { knexOf } from "../../src/engine/knex-access.js";
import { Database } from "../../src/store/database.js";
import { bookingBody, createOffer, slotAt } from "../support/booking-fixtures.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import { signUpTenant, startTestEngine, type TestEngine } from "../support/engine.js";
import { SmsStandIn } from "../support/sms-stand-in.js";
import { WebhookReceiver } from "../support/webhook-receiver.js";

// Reminders ride on the calendar actor's stored timers: set when a booking is made, moved with
// it, dropped when it is cancelled, and fired after a restart from what was stored. Waiting a
// real day is not an option, so the test moves a stored due time to the near future and
// restarts the engine, which is exactly the path a node failure takes.

interface Context {
  scratch: ScratchDatabase;
  receiver: WebhookReceiver;
  sms: SmsStandIn;
}

const environment = {
  WEBHOOK_ALLOW_PRIVATE_TARGETS: "true",
  WEBHOOK_RETRY_BASE_MS: "100",
  OUTBOX_SWEEP_MS: "300",
};

async function reminderTimers(engine: TestEngine, bookingIds: string[]) {
  const rows = await knexOf(engine.engine.services.db)("actor_timers").whereIn(
    "timer_id",
    bookingIds.map((id) => `remind:${id}`),
  );
  return new Map(
    rows.map((row) => [String(row.timer_id).slice("remind:".length), Number(row.due_at_ms)]),
  );
}

for (const dialect of dialectsUnderTest()) {
  const reminders = suite<Context>(`notify: booking reminders (${dialect.name})`);

  reminders.before(async (context) => {
    context.scratch = await dialect.create("reminders");
    context.receiver = await new WebhookReceiver().start();
    context.sms = await new SmsStandIn().start();
  });

  reminders.after(async ({ scratch, receiver, sms }) => {
    await receiver.stop();
    await sms.stop();
    await scratch.drop();
  });

  reminders(
    "a reminder is stored with its booking, moves with it, goes with a cancellation, and fires once after a restart",
    async ({ scratch, receiver, sms }) => {
      const settings = { ...environment, ...sms.env() };
      let engine = await startTestEngine(scratch.target, settings);
      try {
        const tenant = await signUpTenant(engine, "reminders");
        const offer = await createOffer(engine, tenant);
        const setting = await engine.api("PATCH", "/api/v1/tenant", {
          token: tenant.secretKey,
          body: { reminderMinutesBefore: 120 },
        });
        assert.is(setting.status, 200, JSON.stringify(setting.body));
        assert.is(setting.body.reminderMinutesBefore, 120);
        const hook = await engine.api("POST", "/api/v1/webhooks", {
          token: tenant.secretKey,
          body: { url: receiver.url, events: ["booking.reminder"] },
        });
        assert.is(hook.status, 201);

        const book = async (time: string, n: number) => {
          const body = bookingBody(offer.calendarId, offer.serviceId, slotAt(time), n);
          // One customer left a phone number, written the way people write them.
          const customer =
            n === 1 ? { ...body.customer, phone: "+49 (30) 123-4567" } : body.customer;
          const made = await engine.api("POST", "/api/v1/bookings", {
            token: tenant.secretKey,
            body: { ...body, customer },
          });
          assert.is(made.status, 201, JSON.stringify(made.body));
          return made.body.id as string;
        };
        const kept = await book("10:00", 1);
        const moved = await book("11:00", 2);
        const cancelled = await book("12:00", 3);
        let timers = await reminderTimers(engine, [kept, moved, cancelled]);
        assert.is(timers.get(kept), Date.parse(slotAt("10:00")) - 120 * 60_000);
        assert.is(timers.size, 3);

        const rescheduled = await engine.api("POST", `/api/v1/bookings/${moved}/reschedule`, {
          token: tenant.secretKey,
          body: { start: slotAt("15:00") },
        });
        assert.is(rescheduled.status, 200);
        const cancel = await engine.api("POST", `/api/v1/bookings/${cancelled}/cancel`, {
          token: tenant.secretKey,
        });
        assert.is(cancel.status, 200);
        timers = await reminderTimers(engine, [kept, moved, cancelled]);
        assert.is(timers.get(moved), Date.parse(slotAt("15:00")) - 120 * 60_000, "moved along");
        assert.not.ok(timers.has(cancelled), "a cancelled booking is not reminded");

        // Bring the two remaining reminders due, as if the day had passed while the node was down.
        await engine.stop();
        const db = await Database.open(scratch.target);
        await knexOf(db)("actor_timers")
          .whereIn("timer_id", [`remind:${kept}`, `remind:${moved}`])
          .update({ due_at_ms: Date.now() + 300 });
        // The tenant has the SMS add-on (Stripe sets it; see the billing suites).
        await knexOf(db)("tenants").where({ id: tenant.id }).update({ sms_addon: true });
        await db.close();

        engine = await startTestEngine(scratch.target, settings);
        await receiver.waitFor((received) => received.length >= 2);
        // Long enough for a second firing to show.
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        const payloads = receiver.bodies();
        assert.equal(
          payloads.map((payload) => payload.type),
          ["booking.reminder", "booking.reminder"],
        );
        assert.equal(
          payloads.map((payload) => payload.data["id"]).sort(),
          [kept, moved].sort(),
          "each remaining booking reminded once, the cancelled one not at all",
        );
        const movedPayload = payloads.find((payload) => payload.data["id"] === moved)!;
        assert.is(movedPayload.data["start"], slotAt("15:00"));
        assert.is(movedPayload.data["reminderMinutesBefore"], 120);
        timers = await reminderTimers(engine, [kept, moved, cancelled]);
        assert.is(timers.size, 0, "fired timers are gone from the store");

        // The customer with a phone number got a text message, everyone an email.
        assert.is(sms.taken.length, 1);
        assert.equal([sms.taken[0]!.to, sms.taken[0]!.from], ["+49301234567", "+15005550006"]);
        assert.match(sms.taken[0]!.body, /^Reminder: 30 min with Tenant reminders/);
        await engine.engine.services.mailer.idle();
        const db2 = knexOf(engine.engine.services.db);
        const texts = await db2("sms_messages").where({ tenant_id: tenant.id });
        assert.equal(
          texts.map((row) => [row.status, row.template, row.to]),
          [["sent", "booking-reminder", "+49301234567"]],
        );
        const emails = await db2("email_messages")
          .where({ tenant_id: tenant.id, template: "booking-reminder" })
          .orderBy("to");
        assert.equal(
          emails.map((row) => row.to),
          ["c1@example.org", "c2@example.org"],
        );
        const usage = await engine.api("GET", "/api/v1/usage", { token: tenant.secretKey });
        assert.is(usage.body.sms.sent, 1, "text messages are metered per tenant");
      } finally {
        await engine.stop();
      }
    },
  );

  reminders(
    "reminder settings are validated and changing them changes nothing else",
    async ({ scratch }) => {
      const engine = await startTestEngine(scratch.target, environment);
      try {
        const tenant = await signUpTenant(engine, "reminders-bad");
        for (const value of [0, 4, 10_081, 1.5, "60"]) {
          const answer = await engine.api("PATCH", "/api/v1/tenant", {
            token: tenant.secretKey,
            body: { reminderMinutesBefore: value },
          });
          assert.is(answer.status, 422, String(value));
          assert.is(answer.body.error.code, "invalid_input");
        }
        const off = await engine.api("PATCH", "/api/v1/tenant", {
          token: tenant.secretKey,
          body: { reminderMinutesBefore: null },
        });
        assert.is(off.status, 200);
        assert.is(off.body.reminderMinutesBefore, null);
      } finally {
        await engine.stop();
      }
    },
  );

  reminders.run();
}
