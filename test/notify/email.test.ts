import { SignJWT } from "jose";
import { createServer } from "node:net";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { verificationTokenKey } from "../../src/tenants/email-verification.js";
import { bookingBody, createOffer, slotAt } from "../support/booking-fixtures.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import { startTestEngine, type TestEngine } from "../support/engine.js";
import { SmtpCatcher } from "../support/smtp-catcher.js";
import { snapshotTables } from "../support/table-snapshot.js";

const publicUrl = "http://booking.vbwd.test";

interface Context {
  scratch: ScratchDatabase;
  smtp: SmtpCatcher;
  engine: TestEngine;
}

let codes = 0;

/** Signs up a tenant with a name that needs escaping, and logs its owner in. */
async function openAccount(engine: TestEngine, label: string) {
  const code = `mail-${label}-${++codes}`;
  const email = `owner@${code}.example.org`;
  const password = "correct horse battery";
  const signup = await engine.api("POST", "/api/v1/signup", {
    body: {
      tenantCode: code,
      name: `Bäcker <b>&</b> "Co"`,
      businessType: "other",
      email,
      password,
    },
  });
  assert.is(signup.status, 201, JSON.stringify(signup.body));
  const login = await engine.api("POST", "/api/v1/auth/login", {
    body: { tenantCode: code, email, password },
  });
  assert.is(login.status, 200);
  return {
    code,
    email,
    staff: login.body.token as string,
    secretKey: signup.body.keys.secret as string,
    publishableKey: signup.body.keys.publishable as string,
  };
}

/** The token of the verification link in a message. */
function verificationTokenIn(body: string): string {
  const match = /\/verify-email\?token=([A-Za-z0-9._-]+)/.exec(body);
  assert.ok(match, `no verification link in: ${body.slice(0, 400)}`);
  return decodeURIComponent(match![1]!);
}

async function emailsOf(engine: TestEngine, token: string) {
  const answer = await engine.api("GET", "/api/v1/emails", { token });
  assert.is(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.data as { to: string; template: string; status: string; error: string }[];
}

/** Polls the tenant's email list until `ready` holds. */
async function waitForEmails(
  engine: TestEngine,
  token: string,
  ready: (list: Awaited<ReturnType<typeof emailsOf>>) => boolean,
) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const list = await emailsOf(engine, token);
    if (ready(list)) return list;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("the expected email records never appeared");
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

for (const dialect of dialectsUnderTest()) {
  const email = suite<Context>(`notify: email over SMTP (${dialect.name})`);

  email.before(async (context) => {
    context.scratch = await dialect.create("email");
    context.smtp = await SmtpCatcher.start();
    context.engine = await startTestEngine(context.scratch.target, {
      SMTP_URL: context.smtp.url,
      MAIL_FROM: "Bookings <bookings@vbwd.test>",
      PUBLIC_URL: publicUrl,
    });
  });

  email.after(async ({ engine, scratch, smtp }) => {
    await engine.stop();
    await smtp.close();
    await scratch.drop();
  });

  email(
    "signup sends a branded verification email whose link verifies the owner",
    async ({ engine, smtp }) => {
      const account = await openAccount(engine, "verify");
      const mail = await smtp.waitFor(account.email);
      assert.is(mail.from, "bookings@vbwd.test");
      assert.match(mail.subject, `Confirm your email address for Bäcker <b>&</b> "Co"`);
      assert.match(mail.body, "Bäcker &lt;b&gt;&amp;&lt;/b&gt; &quot;Co&quot;", "escaped in HTML");
      assert.not.match(mail.body, "<b>&</b> &quot;", "never raw in HTML");
      assert.match(mail.body, `${publicUrl}/verify-email?token=`);

      const before = await engine.api("GET", "/api/v1/auth/me", { token: account.staff });
      assert.is(before.status, 200);
      assert.is(before.body.user.emailVerified, false, "unverified users can still log in");

      const token = verificationTokenIn(mail.body);
      const verified = await engine.api("POST", "/api/v1/auth/verify-email", { body: { token } });
      assert.is(verified.status, 200, JSON.stringify(verified.body));
      assert.is(verified.body.user.email, account.email);
      const again = await engine.api("POST", "/api/v1/auth/verify-email", { body: { token } });
      assert.is(again.status, 200, "verifying twice is fine");
      assert.is(again.body.user.emailVerifiedAt, verified.body.user.emailVerifiedAt);

      const after = await engine.api("GET", "/api/v1/auth/me", { token: account.staff });
      assert.is(after.body.user.emailVerified, true);
      const resend = await engine.api("POST", "/api/v1/auth/resend-verification", {
        token: account.staff,
      });
      assert.is(resend.status, 200);
      assert.is(resend.body.sent, false, "a verified user gets no new link");
    },
  );

  email(
    "expired, foreign and garbage tokens are refused with 400 and change nothing",
    async ({ engine, smtp }) => {
      const account = await openAccount(engine, "bad");
      const mail = await smtp.waitFor(account.email);
      const genuine = verificationTokenIn(mail.body);
      const claims = JSON.parse(Buffer.from(genuine.split(".")[1]!, "base64url").toString());
      const key = verificationTokenKey(engine.engine.services.secrets.jwtKey);
      const expired = await new SignJWT({ tid: claims.tid, email: claims.email })
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setSubject(claims.sub)
        .setIssuer("vbwd")
        .setAudience("vbwd:verify-email")
        .setIssuedAt(Math.floor(Date.now() / 1000) - 49 * 3600)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
        .sign(key);
      const foreignKey = new TextEncoder().encode("another platform's key, 32+ chars long");
      const foreign = await new SignJWT({ tid: claims.tid, email: claims.email })
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setSubject(claims.sub)
        .setIssuer("vbwd")
        .setAudience("vbwd:verify-email")
        .setExpirationTime("1h")
        .sign(foreignKey);
      // A staff token is signed by the platform, but is no verification token.
      const db = engine.engine.services.db;
      const before = await snapshotTables(db);

      for (const token of [expired, foreign, account.staff, "garbage", genuine + "x"]) {
        const refused = await engine.api("POST", "/api/v1/auth/verify-email", { body: { token } });
        assert.is(refused.status, 400, `${token.slice(0, 20)}: ${JSON.stringify(refused.body)}`);
        assert.is(refused.body.error.code, "invalid_verification_token");
      }
      const empty = await engine.api("POST", "/api/v1/auth/verify-email", { body: {} });
      assert.is(empty.status, 422);
      assert.is(await snapshotTables(db), before, "nothing was written");
      const me = await engine.api("GET", "/api/v1/auth/me", { token: account.staff });
      assert.is(me.body.user.emailVerified, false);
    },
  );

  email(
    "resending a verification link waits a minute between messages",
    async ({ engine, smtp }) => {
      const account = await openAccount(engine, "resend");
      await smtp.waitFor(account.email);
      await waitForEmails(engine, account.staff, (list) => list.length === 1);
      const resend = await engine.api("POST", "/api/v1/auth/resend-verification", {
        token: account.staff,
      });
      assert.is(resend.status, 429);
      assert.is(resend.body.error.code, "rate_limited");
      const bySecretKey = await engine.api("POST", "/api/v1/auth/resend-verification", {
        token: account.secretKey,
      });
      assert.is(bySecretKey.status, 403, "only a staff member's own login resends");
    },
  );

  email(
    "a booking's customer gets a branded confirmation with a working manage link, then the cancellation",
    async ({ engine, smtp }) => {
      const account = await openAccount(engine, "booking");
      const branded = await engine.api("PATCH", "/api/v1/tenant/branding", {
        token: account.secretKey,
        body: { primaryColor: "#0B6E4F", logoUrl: "https://cdn.example.org/logo.png?a=1&b=2" },
      });
      assert.is(branded.status, 200);
      const tenant = { ...account, id: "", password: "" };
      const offer = await createOffer(engine, tenant);
      const body = bookingBody(offer.calendarId, offer.serviceId, slotAt("10:00"), 7);
      body.customer.email = `guest-${account.code}@example.org`;
      const made = await engine.api("POST", "/api/v1/bookings", { token: account.secretKey, body });
      assert.is(made.status, 201);

      const confirmed = await smtp.waitFor(body.customer.email, (m) => /confirmed/.test(m.subject));
      assert.match(confirmed.body, "Hello Customer 7,");
      assert.match(confirmed.raw, /Content-Type: text\/calendar/i, "an .ics is attached");
      assert.match(confirmed.raw, /filename="?booking\.ics/);
      assert.match(confirmed.body, `UID:${made.body.id}@vbwd`);
      assert.match(confirmed.body, "#0b6e4f", "the tenant's primary colour");
      assert.match(confirmed.body, "https://cdn.example.org/logo.png?a=1&amp;b=2");
      const link = new RegExp(`#vbwd-manage=${account.code}\\.${made.body.id}\\.([A-Za-z0-9._-]+)`);
      const manage = link.exec(confirmed.body);
      assert.ok(manage, "the confirmation carries the manage link");
      assert.ok(confirmed.body.includes(`${publicUrl}/#vbwd-manage=`));
      const opened = await engine.api(
        "GET",
        `/v1/widget/${account.code}/bookings/${made.body.id}?token=${manage![1]}`,
        { token: account.publishableKey },
      );
      assert.is(opened.status, 200, "the link's token opens the booking");

      const cancelled = await engine.api("POST", `/api/v1/bookings/${made.body.id}/cancel`, {
        token: account.secretKey,
      });
      assert.is(cancelled.status, 200);
      const notice = await smtp.waitFor(body.customer.email, (m) => /cancelled/.test(m.subject));
      assert.match(notice.body, "has been cancelled");

      const list = await waitForEmails(engine, account.staff, (l) => l.length === 3);
      assert.equal(list.map((m) => m.template).sort(), [
        "booking-cancelled",
        "booking-confirmed",
        "verify-email",
      ]);
      assert.ok(list.every((m) => m.status === "sent"));
    },
  );

  email("each tenant lists only its own email; publishable keys cannot", async ({ engine }) => {
    const first = await openAccount(engine, "own-a");
    const second = await openAccount(engine, "own-b");
    const a = await waitForEmails(engine, first.staff, (list) => list.length > 0);
    const b = await waitForEmails(engine, second.staff, (list) => list.length > 0);
    assert.equal(
      a.map((m) => m.to),
      [first.email],
    );
    assert.equal(
      b.map((m) => m.to),
      [second.email],
    );
    const refused = await engine.api("GET", "/api/v1/emails", { token: first.publishableKey });
    assert.is(refused.status, 403);
  });

  email.run();

  const down = suite<{ scratch: ScratchDatabase; engine: TestEngine }>(
    `notify: email with SMTP down or unset (${dialect.name})`,
  );

  down.before(async (context) => {
    context.scratch = await dialect.create("email_down");
    context.engine = await startTestEngine(context.scratch.target, {
      SMTP_URL: `smtp://127.0.0.1:${await closedPort()}`,
    });
  });

  down.after(async ({ engine, scratch }) => {
    await engine.stop();
    await scratch.drop();
  });

  down(
    "signup succeeds while SMTP is down, and the message is recorded as failed",
    async ({ engine }) => {
      const started = Date.now();
      const account = await openAccount(engine, "down");
      assert.ok(Date.now() - started < 3000, "the request did not wait for SMTP");
      const list = await waitForEmails(engine, account.staff, (l) => l.length === 1);
      assert.is(list[0]!.status, "failed");
      assert.is(list[0]!.template, "verify-email");
      assert.ok(list[0]!.error.length > 0, "the failure says why");
    },
  );

  down.run();
}

const unset = suite<{ scratch: ScratchDatabase; engine: TestEngine }>(
  "notify: email without SMTP_URL is recorded",
);

unset.before(async (context) => {
  context.scratch = await dialectsUnderTest()[0]!.create("email_unset");
  context.engine = await startTestEngine(context.scratch.target);
});

unset.after(async ({ engine, scratch }) => {
  await engine.stop();
  await scratch.drop();
});

unset("messages are recorded, not sent", async ({ engine }) => {
  const account = await openAccount(engine, "unset");
  const list = await waitForEmails(engine, account.staff, (l) => l.length === 1);
  assert.is(list[0]!.status, "recorded");
  assert.is(list[0]!.error, null);
});

unset.run();
