import { suite } from "uvu";
import * as assert from "uvu/assert";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import {
  signUpTenant,
  startTestEngine,
  testAdminToken,
  type ApiRequest,
  type TestEngine,
  type TestTenant,
} from "../support/engine.js";
import { snapshotTables } from "../support/table-snapshot.js";

interface Context {
  scratch: ScratchDatabase;
  engine: TestEngine;
  tenant: TestTenant;
}

interface BadRequest {
  name: string;
  method: string;
  path: string;
  request: (tenant: TestTenant) => ApiRequest;
  status: number;
  code: string;
}

const validSignup = {
  tenantCode: "fresh-co",
  name: "Fresh",
  businessType: "medical",
  email: "a@b.org",
  password: "0123456789ab",
};

const badRequests: BadRequest[] = [
  {
    name: "broken JSON",
    method: "POST",
    path: "/api/v1/signup",
    request: () => ({ rawBody: '{"tenantCode": "x",' }),
    status: 400,
    code: "malformed_request",
  },
  {
    name: "a body over the limit",
    method: "POST",
    path: "/api/v1/signup",
    request: () => ({ body: { ...validSignup, name: "x".repeat(200 * 1024) } }),
    status: 413,
    code: "payload_too_large",
  },
  {
    name: "a form instead of JSON",
    method: "POST",
    path: "/api/v1/signup",
    request: () => ({ rawBody: "tenantCode=x", contentType: "application/x-www-form-urlencoded" }),
    status: 415,
    code: "unsupported_media_type",
  },
  {
    name: "a JSON array instead of an object",
    method: "POST",
    path: "/api/v1/signup",
    request: () => ({ body: [validSignup] }),
    status: 422,
    code: "invalid_input",
  },
  {
    name: "an unknown business type and a short password",
    method: "POST",
    path: "/api/v1/signup",
    request: () => ({ body: { ...validSignup, businessType: "casino", password: "short" } }),
    status: 422,
    code: "invalid_input",
  },
  {
    name: "a reserved tenant code",
    method: "POST",
    path: "/api/v1/signup",
    request: () => ({ body: { ...validSignup, tenantCode: "admin" } }),
    status: 422,
    code: "invalid_input",
  },
  {
    name: "an unknown time zone",
    method: "POST",
    path: "/api/v1/signup",
    request: () => ({ body: { ...validSignup, timezone: "Mars/Olympus" } }),
    status: 422,
    code: "invalid_input",
  },
  {
    name: "wrong types everywhere",
    method: "POST",
    path: "/api/v1/signup",
    request: () => ({
      body: { tenantCode: 7, name: null, businessType: [], email: {}, password: 1 },
    }),
    status: 422,
    code: "invalid_input",
  },
  {
    name: "an unknown key kind",
    method: "POST",
    path: "/api/v1/keys",
    request: (tenant) => ({ token: tenant.secretKey, body: { kind: "root" } }),
    status: 422,
    code: "invalid_input",
  },
  {
    name: "allowed origins on a secret key",
    method: "POST",
    path: "/api/v1/keys",
    request: (tenant) => ({
      token: tenant.secretKey,
      body: { kind: "secret", allowedOrigins: ["https://a.example"] },
    }),
    status: 422,
    code: "invalid_input",
  },
  {
    name: "an origin with a path",
    method: "POST",
    path: "/api/v1/keys",
    request: (tenant) => ({
      token: tenant.secretKey,
      body: { kind: "publishable", allowedOrigins: ["https://a.example/page"] },
    }),
    status: 422,
    code: "invalid_input",
  },
  {
    name: "revoking an unknown key",
    method: "DELETE",
    path: "/api/v1/keys/key_doesnotexist",
    request: (tenant) => ({ token: tenant.secretKey }),
    status: 404,
    code: "not_found",
  },
  {
    name: "an admin change with nothing to change",
    method: "PATCH",
    path: "/api/v1/admin/tenants/bad-input-co",
    request: () => ({ token: testAdminToken, body: {} }),
    status: 422,
    code: "invalid_input",
  },
  {
    name: "an admin change to an unknown status",
    method: "PATCH",
    path: "/api/v1/admin/tenants/bad-input-co",
    request: () => ({ token: testAdminToken, body: { subscriptionStatus: "deleted" } }),
    status: 422,
    code: "invalid_input",
  },
  {
    name: "a page size out of range",
    method: "GET",
    path: "/api/v1/admin/tenants?limit=100000",
    request: () => ({ token: testAdminToken }),
    status: 422,
    code: "invalid_input",
  },
  {
    name: "a hold length under a minute",
    method: "PATCH",
    path: "/api/v1/tenant",
    request: (tenant) => ({ token: tenant.secretKey, body: { holdTtlSeconds: 5 } }),
    status: 422,
    code: "invalid_input",
  },
  {
    name: "a calendar with overlapping hours",
    method: "POST",
    path: "/api/v1/calendars",
    request: (tenant) => ({
      token: tenant.secretKey,
      body: {
        name: "X",
        timezone: "UTC",
        weeklyHours: {
          mon: [
            ["09:00", "12:00"],
            ["11:00", "13:00"],
          ],
        },
      },
    }),
    status: 422,
    code: "invalid_input",
  },
  {
    name: "a service on another tenant's or no calendar",
    method: "POST",
    path: "/api/v1/services",
    request: (tenant) => ({
      token: tenant.secretKey,
      body: { calendarIds: ["cal_nosuchcalendar"], name: "X", durationMinutes: 30 },
    }),
    status: 404,
    code: "not_found",
  },
  {
    name: "an unknown route",
    method: "POST",
    path: "/api/v1/nothing-here",
    request: () => ({ body: {} }),
    status: 404,
    code: "not_found",
  },
  {
    name: "a method the route does not take",
    method: "PUT",
    path: "/api/v1/keys",
    request: (tenant) => ({ token: tenant.secretKey, body: {} }),
    status: 405,
    code: "method_not_allowed",
  },
];

for (const dialect of dialectsUnderTest()) {
  const badInput = suite<Context>(`gateway: bad input changes nothing (${dialect.name})`);

  badInput.before(async (context) => {
    context.scratch = await dialect.create("bad_input");
    context.engine = await startTestEngine(context.scratch.target);
    context.tenant = await signUpTenant(context.engine, "bad-input-co");
  });

  badInput.after(async ({ engine, scratch }) => {
    await engine.stop();
    await scratch.drop();
  });

  for (const bad of badRequests) {
    badInput(`${bad.name} → ${bad.status} ${bad.code}, database unchanged`, async (context) => {
      const db = context.engine.engine.services.db;
      const before = await snapshotTables(db);
      const answer = await context.engine.api(bad.method, bad.path, bad.request(context.tenant));
      assert.is(answer.status, bad.status, JSON.stringify(answer.body));
      assert.is(answer.body.error.code, bad.code);
      assert.type(answer.body.error.message, "string");
      assert.is(await snapshotTables(db), before);
    });
  }

  badInput("invalid input lists each problem with its field path", async ({ engine }) => {
    const answer = await engine.api("POST", "/api/v1/signup", {
      body: { ...validSignup, businessType: "casino", password: "short" },
    });
    const paths = answer.body.error.details.map((d: { path: string }) => d.path).sort();
    assert.equal(paths, ["businessType", "password"]);
  });

  badInput.run();
}
