import { randomBytes } from "node:crypto";
import { request } from "node:http";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import {
  addOnUsers,
  bytesFromMb,
  hasRoomFor,
  isTrialOver,
  userLimitOf,
} from "../../src/domain/plan-limits.js";
import { bytesMatchType } from "../../src/domain/uploads.js";
import { knexOf } from "../../src/engine/knex-access.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import {
  checkAnswer,
  signUpTenant,
  startTestEngine,
  testAdminToken,
  type ApiAnswer,
  type TestEngine,
  type TestTenant,
} from "../support/engine.js";

interface Context {
  scratch: ScratchDatabase;
  engine: TestEngine;
}

const pngMagic = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const jpegMagic = Buffer.from([0xff, 0xd8, 0xff, 0xe0]);

/** Bytes that pass as a PNG: the signature, then `size` more bytes. */
function png(size: number): Buffer {
  return Buffer.concat([pngMagic, randomBytes(size)]);
}

const svg = Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>');

let codes = 0;
function nextCode(label: string): string {
  codes += 1;
  return `${label}-${codes}-${Math.random().toString(36).slice(2, 6)}`;
}

async function setPlan(engine: TestEngine, code: string, body: object): Promise<void> {
  const answer = await engine.api("PATCH", `/api/v1/admin/tenants/${code}`, {
    token: testAdminToken,
    body,
  });
  assert.is(answer.status, 200, JSON.stringify(answer.body));
}

async function logIn(engine: TestEngine, code: string, email: string, password: string) {
  const answer = await engine.api("POST", "/api/v1/auth/login", {
    body: { tenantCode: code, email, password },
  });
  assert.is(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.token as string;
}

function newUser(email: string, role = "staff") {
  return { email, role, password: "a long enough password", name: "Staff Member" };
}

async function createUser(engine: TestEngine, token: string, body: object) {
  return engine.api("POST", "/api/v1/users", { token, body });
}

/** PUTs raw bytes as the tenant's logo and checks a JSON answer against the API document. */
async function putLogo(
  engine: TestEngine,
  token: string | undefined,
  contentType: string,
  bytes: Buffer,
): Promise<ApiAnswer> {
  const headers: Record<string, string> = { "content-type": contentType };
  if (token) headers["authorization"] = `Bearer ${token}`;
  const response = await fetch(`${engine.url}/api/v1/tenant/logo`, {
    method: "PUT",
    headers,
    body: bytes,
  });
  const answer = {
    status: response.status,
    headers: response.headers,
    body: await response.json(),
  };
  await checkAnswer(engine.url, "PUT", "/api/v1/tenant/logo", answer);
  return answer;
}

/** The status of a GET with `If-None-Match`, as a browser's cache revalidates. */
function conditionalStatus(url: string, etag: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { headers: { "if-none-match": etag } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    outgoing.on("error", reject);
    outgoing.end();
  });
}

async function storedUploads(engine: TestEngine, tenantId: string) {
  const knex = knexOf(engine.engine.services.db);
  return knex("uploads").select("id", "kind", "size_bytes").where({ tenant_id: tenantId });
}

async function logoUrlOf(engine: TestEngine, tenant: TestTenant): Promise<string | null> {
  const branding = await engine.api("GET", "/api/v1/tenant/branding", { token: tenant.secretKey });
  return branding.body.logoUrl;
}

// ---------------------------------------------------------------------------------------------

const rules = suite("plan limits: the pure rules");

rules("limits allow up to and including the limit; −1 is unlimited", () => {
  assert.ok(hasRoomFor(2, 3));
  assert.not.ok(hasRoomFor(3, 3));
  assert.ok(hasRoomFor(1, 3, 2));
  assert.not.ok(hasRoomFor(2, 3, 2));
  assert.ok(hasRoomFor(1_000_000, -1, 5));
});

rules("the user limit is the plan's users plus add-on users", () => {
  assert.is(userLimitOf({ maxUsers: 3 }), 3);
  assert.is(userLimitOf({ maxUsers: 3, extraUsers: 2 }), 5);
  assert.is(userLimitOf({ maxUsers: -1, extraUsers: 2 }), -1);
  assert.is(addOnUsers({ maxUsers: 3, extraUsers: null }), 0);
  assert.is(bytesFromMb(2), 2 * 1024 * 1024);
  assert.is(bytesFromMb(-1), -1);
});

rules("a trial is over only for trial tenants past their end", () => {
  const now = new Date("2026-12-04T12:00:00Z");
  const past = new Date("2026-12-04T11:59:59Z");
  assert.ok(isTrialOver({ subscriptionStatus: "trial", trialEndsAt: past }, now));
  assert.not.ok(isTrialOver({ subscriptionStatus: "active", trialEndsAt: past }, now));
  assert.not.ok(isTrialOver({ subscriptionStatus: "trial", trialEndsAt: null }, now));
  const later = new Date("2026-12-05T00:00:00Z");
  assert.not.ok(isTrialOver({ subscriptionStatus: "trial", trialEndsAt: later }, now));
});

rules("images are recognised by their bytes, not their claimed type", () => {
  assert.ok(bytesMatchType(png(4), "image/png"));
  assert.not.ok(bytesMatchType(jpegMagic, "image/png"));
  assert.ok(bytesMatchType(jpegMagic, "image/jpeg"));
  const webp = Buffer.concat([Buffer.from("RIFF"), Buffer.alloc(4), Buffer.from("WEBPVP8 ")]);
  assert.ok(bytesMatchType(webp, "image/webp"));
  assert.ok(bytesMatchType(svg, "image/svg+xml"));
  assert.ok(
    bytesMatchType(Buffer.from("<!-- logo -->\n<svg viewBox='0 0 1 1'/>"), "image/svg+xml"),
  );
  assert.not.ok(bytesMatchType(Buffer.from("<html><svg/></html>"), "image/svg+xml"));
  assert.not.ok(bytesMatchType(Buffer.from([0xff, 0xfe, 0x00]), "image/svg+xml"));
});

rules.run();

// ---------------------------------------------------------------------------------------------

for (const dialect of dialectsUnderTest()) {
  const limits = suite<Context>(`tenants: plan limits, staff users and uploads (${dialect.name})`);

  limits.before(async (context) => {
    context.scratch = await dialect.create("plan_limits");
    context.engine = await startTestEngine(context.scratch.target);
  });

  limits.after(async ({ engine, scratch }) => {
    await engine.stop();
    await scratch.drop();
  });

  limits("owners and admins manage staff users; staff may not", async ({ engine }) => {
    const tenant = await signUpTenant(engine, nextCode("users"));
    const created = await createUser(engine, tenant.secretKey, newUser("ADMIN@shop.test", "admin"));
    assert.is(created.status, 201, JSON.stringify(created.body));
    assert.is(created.body.email, "admin@shop.test");
    assert.is(created.body.role, "admin");
    assert.is(created.body.active, true);
    assert.not.ok("passwordHash" in created.body);

    const adminToken = await logIn(
      engine,
      tenant.code,
      "admin@shop.test",
      "a long enough password",
    );
    const staff = await createUser(engine, adminToken, newUser("staff@shop.test"));
    assert.is(staff.status, 201);
    const asAdminOwner = await createUser(engine, adminToken, newUser("boss@shop.test", "owner"));
    assert.is(asAdminOwner.status, 403);

    const staffToken = await logIn(
      engine,
      tenant.code,
      "staff@shop.test",
      "a long enough password",
    );
    const byStaff = await createUser(engine, staffToken, newUser("x@shop.test"));
    assert.is(byStaff.status, 403);
    const listed = await engine.api("GET", "/api/v1/users", { token: staffToken });
    assert.is(listed.status, 200);
    assert.equal(
      listed.body.data.map((u: { email: string }) => u.email),
      [tenant.email, "admin@shop.test", "staff@shop.test"],
    );

    const again = await createUser(engine, tenant.secretKey, newUser("staff@shop.test"));
    assert.is(again.status, 409);
    assert.is(again.body.error.code, "email_taken");
    const short = await createUser(engine, tenant.secretKey, {
      ...newUser("y@shop.test"),
      password: "short",
    });
    assert.is(short.status, 422);
    const badRole = await createUser(engine, tenant.secretKey, newUser("z@shop.test", "king"));
    assert.is(badRole.status, 422);

    const off = await engine.api("PATCH", `/api/v1/users/${staff.body.id}`, {
      token: adminToken,
      body: { active: false },
    });
    assert.is(off.status, 200);
    assert.is(off.body.active, false);
    const refused = await engine.api("GET", "/api/v1/users", { token: staffToken });
    assert.is(refused.status, 401, "a deactivated user's session stops at once");
    const removed = await engine.api("DELETE", `/api/v1/users/${staff.body.id}`, {
      token: adminToken,
    });
    assert.is(removed.status, 200);
    const gone = await engine.api("DELETE", `/api/v1/users/${staff.body.id}`, {
      token: adminToken,
    });
    assert.is(gone.status, 404);
  });

  limits("the user limit holds exactly under concurrent creates", async ({ engine }) => {
    const tenant = await signUpTenant(engine, nextCode("seats"));
    await setPlan(engine, tenant.code, { planSlug: "professional" });
    for (let i = 0; i < 6; i++) {
      const made = await createUser(engine, tenant.secretKey, newUser(`early${i}@shop.test`));
      assert.is(made.status, 201);
    }

    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        createUser(engine, tenant.secretKey, newUser(`rush${i}@shop.test`)),
      ),
    );
    assert.is(answers.filter((a) => a.status === 201).length, 3);
    const refused = answers.filter((a) => a.status === 429);
    assert.is(refused.length, 7);
    for (const answer of refused) {
      assert.is(answer.body.error.code, "plan_limit_reached");
      assert.match(answer.body.error.message, /allows 10 active users/);
    }
    const listed = await engine.api("GET", "/api/v1/users", { token: tenant.secretKey });
    assert.is(listed.body.data.length, 10);

    // A deactivated user frees a seat; taking it back needs a free seat again.
    const someone = listed.body.data.find((u: { role: string }) => u.role === "staff");
    const off = await engine.api("PATCH", `/api/v1/users/${someone.id}`, {
      token: tenant.secretKey,
      body: { active: false },
    });
    assert.is(off.status, 200);
    assert.is((await createUser(engine, tenant.secretKey, newUser("late@shop.test"))).status, 201);
    const back = await engine.api("PATCH", `/api/v1/users/${someone.id}`, {
      token: tenant.secretKey,
      body: { active: true },
    });
    assert.is(back.status, 429);
    assert.is(back.body.error.code, "plan_limit_reached");
  });

  limits("the last active owner cannot be removed, demoted or deactivated", async ({ engine }) => {
    const tenant = await signUpTenant(engine, nextCode("owners"));
    const listed = await engine.api("GET", "/api/v1/users", { token: tenant.secretKey });
    const owner = listed.body.data[0];
    const path = `/api/v1/users/${owner.id}`;

    const token = tenant.secretKey;
    const demote = await engine.api("PATCH", path, { token, body: { role: "admin" } });
    assert.is(demote.status, 409);
    assert.is(demote.body.error.code, "conflict");
    assert.is((await engine.api("PATCH", path, { token, body: { active: false } })).status, 409);
    assert.is((await engine.api("DELETE", path, { token })).status, 409);

    // Two owners removing each other at once: exactly one of them goes.
    const second = await createUser(engine, token, newUser("second@shop.test", "owner"));
    assert.is(second.status, 201);
    const removals = await Promise.all([
      engine.api("DELETE", path, { token }),
      engine.api("DELETE", `/api/v1/users/${second.body.id}`, { token }),
    ]);
    assert.equal(removals.map((a) => a.status).sort(), [200, 409]);
    const after = await engine.api("GET", "/api/v1/users", { token });
    assert.equal(after.body.data.filter((u: { role: string }) => u.role === "owner").length, 1);
  });

  limits("usage shows bookings, users and storage against the plan", async ({ engine }) => {
    const tenant = await signUpTenant(engine, nextCode("usage"));
    const logo = png(1000);
    assert.is((await putLogo(engine, tenant.secretKey, "image/png", logo)).status, 200);
    const usage = await engine.api("GET", "/api/v1/usage", { token: tenant.secretKey });
    assert.is(usage.status, 200);
    assert.equal(usage.body.bookings, { used: 0, limit: 100, pending: 0 });
    assert.equal(usage.body.users, { used: 1, limit: 3 });
    assert.equal(usage.body.storage, { usedBytes: logo.length, limitBytes: 1024 * 1024 * 1024 });
  });

  limits("a logo is stored, served with safe headers, replaced and removed", async ({ engine }) => {
    const tenant = await signUpTenant(engine, nextCode("logo"));
    const bytes = png(5000);
    const put = await putLogo(engine, tenant.secretKey, "image/png", bytes);
    assert.is(put.status, 200, JSON.stringify(put.body));
    assert.is(put.body.sizeBytes, bytes.length);
    assert.is(await logoUrlOf(engine, tenant), `/v1/files/${put.body.id}`);

    const file = await fetch(`${engine.url}/v1/files/${put.body.id}`);
    assert.is(file.status, 200);
    assert.equal(Buffer.from(await file.arrayBuffer()), bytes);
    assert.is(file.headers.get("content-type"), "image/png");
    assert.is(file.headers.get("etag"), `"${put.body.sha256}"`);
    assert.is(file.headers.get("x-content-type-options"), "nosniff");
    assert.match(file.headers.get("cache-control") ?? "", /max-age=\d+/);
    const etag = file.headers.get("etag")!;
    // fetch would add Cache-Control: no-cache to a conditional request; a browser cache does not.
    assert.is(await conditionalStatus(`${engine.url}/v1/files/${put.body.id}`, etag), 304);

    const replaced = await putLogo(engine, tenant.secretKey, "image/svg+xml", svg);
    assert.is(replaced.status, 200);
    const old = await fetch(`${engine.url}/v1/files/${put.body.id}`);
    assert.is(old.status, 404);
    assert.is(((await old.json()) as { error: { code: string } }).error.code, "not_found");
    const vector = await fetch(`${engine.url}/v1/files/${replaced.body.id}`);
    assert.is(vector.headers.get("content-type"), "image/svg+xml");
    assert.match(vector.headers.get("content-security-policy") ?? "", /^sandbox/);
    assert.equal(await storedUploads(engine, tenant.id), [
      { id: replaced.body.id, kind: "logo", size_bytes: svg.length },
    ]);

    const removed = await engine.api("DELETE", "/api/v1/tenant/logo", { token: tenant.secretKey });
    assert.is(removed.status, 200);
    assert.equal(removed.body, { removed: true });
    assert.is(await logoUrlOf(engine, tenant), null);
    assert.is((await fetch(`${engine.url}/v1/files/${replaced.body.id}`)).status, 404);
    assert.equal(await storedUploads(engine, tenant.id), []);
  });

  limits("bad uploads are refused and nothing is stored", async ({ engine }) => {
    const tenant = await signUpTenant(engine, nextCode("badlogo"));
    const token = tenant.secretKey;
    const text = await putLogo(engine, token, "text/plain", Buffer.from("hello"));
    assert.is(text.status, 415);
    assert.is(text.body.error.code, "unsupported_media_type");
    const gif = await putLogo(engine, token, "image/gif", Buffer.from("GIF89a"));
    assert.is(gif.status, 415);
    const liar = await putLogo(engine, token, "image/png", jpegMagic);
    assert.is(liar.status, 422);
    assert.is(liar.body.error.code, "invalid_input");
    const html = await putLogo(engine, token, "image/svg+xml", Buffer.from("<html></html>"));
    assert.is(html.status, 422);
    const empty = await putLogo(engine, token, "image/png", Buffer.alloc(0));
    assert.is(empty.status, 422);
    const huge = await putLogo(engine, token, "image/png", png(2 * 1024 * 1024));
    assert.is(huge.status, 413);
    assert.is(huge.body.error.code, "payload_too_large");
    const anonymous = await putLogo(engine, undefined, "image/png", png(10));
    assert.is(anonymous.status, 401);

    await createUser(engine, token, newUser("staff@logo.test"));
    const staffToken = await logIn(
      engine,
      tenant.code,
      "staff@logo.test",
      "a long enough password",
    );
    const byStaff = await putLogo(engine, staffToken, "image/png", png(10));
    assert.is(byStaff.status, 403);

    assert.equal(await storedUploads(engine, tenant.id), []);
    assert.is(await logoUrlOf(engine, tenant), null);
  });

  limits("the storage limit holds exactly under concurrent uploads", async ({ engine }) => {
    const tenant = await signUpTenant(engine, nextCode("storage"));
    await knexOf(engine.engine.services.db)("tenants")
      .where({ id: tenant.id })
      .update({ storage_limit_mb: 1 });
    const limit = 1024 * 1024;

    const tooBig = await putLogo(engine, tenant.secretKey, "image/png", png(limit));
    assert.is(tooBig.status, 429);
    assert.is(tooBig.body.error.code, "plan_limit_reached");
    assert.match(tooBig.body.error.message, /allows 1 MB of storage/);

    // Each fits alone and replaces the one before: exactly one logo survives, within the limit.
    const sizes = [700_000, 900_000, 500_000, 1_000_000, 800_000, 600_000];
    const answers = await Promise.all(
      sizes.map((size) => putLogo(engine, tenant.secretKey, "image/png", png(size - 8))),
    );
    assert.ok(answers.every((a) => a.status === 200));
    const stored = await storedUploads(engine, tenant.id);
    assert.is(stored.length, 1);
    assert.ok(Number(stored[0].size_bytes) <= limit);
    assert.is(await logoUrlOf(engine, tenant), `/v1/files/${stored[0].id}`);
    const usage = await engine.api("GET", "/api/v1/usage", { token: tenant.secretKey });
    assert.equal(usage.body.storage, {
      usedBytes: Number(stored[0].size_bytes),
      limitBytes: limit,
    });
  });

  limits("file ids and logos stay with their own tenant", async ({ engine }) => {
    const a = await signUpTenant(engine, nextCode("filea"));
    const b = await signUpTenant(engine, nextCode("fileb"));
    const logoA = await putLogo(engine, a.secretKey, "image/png", png(300));
    const logoB = await putLogo(engine, b.secretKey, "image/png", png(400));

    const removed = await engine.api("DELETE", "/api/v1/tenant/logo", { token: b.secretKey });
    assert.equal(removed.body, { removed: true });
    assert.is((await fetch(`${engine.url}/v1/files/${logoA.body.id}`)).status, 200);
    assert.is((await fetch(`${engine.url}/v1/files/${logoB.body.id}`)).status, 404);
    assert.is(await logoUrlOf(engine, a), `/v1/files/${logoA.body.id}`);

    const usageB = await engine.api("GET", "/api/v1/usage", { token: b.secretKey });
    assert.is(usageB.body.storage.usedBytes, 0);
    const usersB = await engine.api("GET", "/api/v1/users", { token: b.secretKey });
    const ownerA = (await engine.api("GET", "/api/v1/users", { token: a.secretKey })).body.data[0];
    assert.ok(usersB.body.data.every((u: { id: string }) => u.id !== ownerA.id));
    const foreign = await engine.api("PATCH", `/api/v1/users/${ownerA.id}`, {
      token: b.secretKey,
      body: { role: "staff" },
    });
    assert.is(foreign.status, 404);
    const unknown = await fetch(`${engine.url}/v1/files/upl_nothing_here`);
    assert.is(unknown.status, 404);
  });

  limits.run();
}
