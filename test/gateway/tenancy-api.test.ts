import { suite } from "uvu";
import * as assert from "uvu/assert";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import {
  getWithHost,
  signUpTenant,
  startTestEngine,
  testAdminToken,
  type TestEngine,
} from "../support/engine.js";

for (const dialect of dialectsUnderTest()) {
  const tenancy = suite<{ scratch: ScratchDatabase; engine: TestEngine }>(
    `gateway: tenancy over REST (${dialect.name})`,
  );

  tenancy.before(async (context) => {
    context.scratch = await dialect.create("tenancy");
    context.engine = await startTestEngine(context.scratch.target);
  });

  tenancy.after(async ({ engine, scratch }) => {
    await engine.stop();
    await scratch.drop();
  });

  tenancy(
    "signup creates a starter trial with an owner and a secret and publishable key",
    async ({ engine }) => {
      const answer = await engine.api("POST", "/api/v1/signup", {
        body: {
          tenantCode: "Acme-Clinic",
          name: "Acme Clinic",
          businessType: "medical",
          email: "Owner@Acme.example.org",
          password: "correct horse battery",
          timezone: "Europe/Berlin",
        },
      });
      assert.is(answer.status, 201);
      const { tenant, keys, user } = answer.body;
      assert.is(tenant.code, "acme-clinic");
      assert.is(tenant.subscriptionStatus, "trial");
      assert.is(tenant.plan, "starter");
      assert.is(tenant.timezone, "Europe/Berlin");
      const trialDays = (Date.parse(tenant.trialEndsAt) - Date.now()) / 86_400_000;
      assert.ok(trialDays > 13.9 && trialDays <= 14, `trial ends in ${trialDays} days`);
      assert.match(keys.secret, /^sk_live_/);
      assert.match(keys.publishable, /^pk_live_/);
      assert.is(user.email, "owner@acme.example.org");
      assert.is(user.role, "owner");
    },
  );

  tenancy("a duplicate tenant code is 409 tenant_code_taken", async ({ engine }) => {
    await signUpTenant(engine, "dupe-co");
    const again = await engine.api("POST", "/api/v1/signup", {
      body: {
        tenantCode: "dupe-co",
        name: "Other",
        businessType: "legal",
        email: "x@y.org",
        password: "0123456789ab",
      },
    });
    assert.is(again.status, 409);
    assert.is(again.body.error.code, "tenant_code_taken");
  });

  tenancy("concurrent signups for one code: exactly one wins", async ({ engine }) => {
    const attempts = Array.from({ length: 5 }, (_, i) =>
      engine.api("POST", "/api/v1/signup", {
        body: {
          tenantCode: "race-co",
          name: `R${i}`,
          businessType: "other",
          email: `r${i}@x.org`,
          password: "0123456789ab",
        },
      }),
    );
    const statuses = (await Promise.all(attempts)).map((a) => a.status).sort();
    assert.equal(statuses, [201, 409, 409, 409, 409]);
  });

  tenancy("login gives a staff token that works on a tenant-scoped call", async ({ engine }) => {
    const tenant = await signUpTenant(engine, "login-co");
    const login = await engine.api("POST", "/api/v1/auth/login", {
      body: { tenantCode: tenant.code, email: tenant.email, password: tenant.password },
    });
    assert.is(login.status, 200);
    assert.type(login.body.token, "string");

    const me = await engine.api("GET", "/api/v1/tenant", { token: login.body.token });
    assert.is(me.status, 200);
    assert.is(me.body.code, "login-co");
    assert.is(me.body.id, tenant.id);
  });

  tenancy(
    "a wrong password and an unknown email are both 401 invalid_credentials",
    async ({ engine }) => {
      const tenant = await signUpTenant(engine, "badlogin-co");
      for (const body of [
        { tenantCode: tenant.code, email: tenant.email, password: "wrong password" },
        { tenantCode: tenant.code, email: "nobody@x.org", password: tenant.password },
        { tenantCode: "no-such-tenant", email: tenant.email, password: tenant.password },
      ]) {
        const answer = await engine.api("POST", "/api/v1/auth/login", { body });
        assert.is(answer.status, 401);
        assert.is(answer.body.error.code, "invalid_credentials");
      }
    },
  );

  tenancy(
    "a secret key creates, lists and revokes keys; a revoked key stops at once",
    async ({ engine }) => {
      const tenant = await signUpTenant(engine, "keys-co");
      const created = await engine.api("POST", "/api/v1/keys", {
        token: tenant.secretKey,
        body: { kind: "agent", mode: "test", name: "booking bot" },
      });
      assert.is(created.status, 201);
      assert.match(created.body.key, /^ak_test_/);
      assert.is(created.body.prefix, created.body.key.slice(0, 14));

      const agentCall = await engine.api("GET", "/api/v1/tenant", { token: created.body.key });
      assert.is(agentCall.status, 200);

      const listed = await engine.api("GET", "/api/v1/keys", { token: tenant.secretKey });
      assert.is(listed.status, 200);
      assert.is(listed.body.data.length, 3);
      assert.not.ok(
        JSON.stringify(listed.body).includes(created.body.key),
        "a listing shows a key",
      );

      const revoked = await engine.api("DELETE", `/api/v1/keys/${created.body.id}`, {
        token: tenant.secretKey,
      });
      assert.is(revoked.status, 200);
      assert.type(revoked.body.revokedAt, "string");

      const after = await engine.api("GET", "/api/v1/tenant", { token: created.body.key });
      assert.is(after.status, 401);
      assert.is(after.body.error.code, "invalid_credentials");
    },
  );

  tenancy("another tenant's key gets 404 on the first tenant's ids", async ({ engine }) => {
    const first = await signUpTenant(engine, "first-co");
    const second = await signUpTenant(engine, "second-co");
    const key = await engine.api("POST", "/api/v1/keys", {
      token: first.secretKey,
      body: { kind: "secret" },
    });

    const foreign = await engine.api("DELETE", `/api/v1/keys/${key.body.id}`, {
      token: second.secretKey,
    });
    assert.is(foreign.status, 404);
    assert.is(foreign.body.error.code, "not_found");

    const stillWorks = await engine.api("GET", "/api/v1/tenant", { token: key.body.key });
    assert.is(stillWorks.status, 200);
    const secondKeys = await engine.api("GET", "/api/v1/keys", { token: second.secretKey });
    assert.not.ok(secondKeys.body.data.some((k: { id: string }) => k.id === key.body.id));
  });

  tenancy(
    "a key used with another tenant's X-Tenant-ID is 403 tenant_mismatch",
    async ({ engine }) => {
      const first = await signUpTenant(engine, "mismatch-a");
      await signUpTenant(engine, "mismatch-b");
      const answer = await engine.api("GET", "/api/v1/tenant", {
        token: first.secretKey,
        headers: { "x-tenant-id": "mismatch-b" },
      });
      assert.is(answer.status, 403);
      assert.is(answer.body.error.code, "tenant_mismatch");
    },
  );

  tenancy(
    "a publishable key on a secret-only route is 403; on the widget path it works",
    async ({ engine }) => {
      const tenant = await signUpTenant(engine, "pk-co");
      const refused = await engine.api("POST", "/api/v1/keys", {
        token: tenant.publishableKey,
        body: { kind: "secret" },
      });
      assert.is(refused.status, 403);
      assert.is(refused.body.error.code, "insufficient_scope");

      const widget = await engine.api("GET", `/v1/widget/${tenant.code}/config`, {
        headers: { "x-api-key": tenant.publishableKey },
      });
      assert.is(widget.status, 200);
      assert.is(widget.body.tenant.code, "pk-co");

      const wrongPath = await engine.api("GET", "/v1/widget/first-co/config", {
        headers: { "x-api-key": tenant.publishableKey },
      });
      assert.is(wrongPath.status, 403);
    },
  );

  tenancy("publishable keys only serve their allowed origins", async ({ engine }) => {
    const tenant = await signUpTenant(engine, "origin-co");
    const key = await engine.api("POST", "/api/v1/keys", {
      token: tenant.secretKey,
      body: { kind: "publishable", allowedOrigins: ["https://clinic.example.com"] },
    });
    assert.is(key.status, 201);
    const path = `/v1/widget/${tenant.code}/config`;
    const allowed = await engine.api("GET", path, {
      headers: { "x-api-key": key.body.key, origin: "https://clinic.example.com" },
    });
    assert.is(allowed.status, 200);
    const other = await engine.api("GET", path, {
      headers: { "x-api-key": key.body.key, origin: "https://evil.example.net" },
    });
    assert.is(other.status, 403);
    assert.is(other.body.error.code, "forbidden");
  });

  tenancy(
    "tenant resolution by subdomain of BASE_DOMAIN must agree with the key",
    async ({ scratch }) => {
      const withDomain = await startTestEngine(scratch.target, { BASE_DOMAIN: "vbwd.test" });
      try {
        const tenant = await signUpTenant(withDomain, "sub-co");
        const call = (host: string) =>
          getWithHost(withDomain.url, "/api/v1/tenant", host, tenant.secretKey);
        const own = await call("sub-co.vbwd.test");
        assert.is(own.status, 200);
        assert.is(own.body.code, "sub-co");
        const other = await call("someone-else.vbwd.test");
        assert.is(other.status, 403);
        assert.is(other.body.error.code, "tenant_mismatch");
      } finally {
        await withDomain.stop();
      }
    },
  );

  tenancy("an owner's staff token manages keys", async ({ engine }) => {
    const tenant = await signUpTenant(engine, "roles-co");
    const login = await engine.api("POST", "/api/v1/auth/login", {
      body: { tenantCode: tenant.code, email: tenant.email, password: tenant.password },
    });
    const created = await engine.api("POST", "/api/v1/keys", {
      token: login.body.token,
      body: { kind: "publishable", allowedOrigins: ["http://localhost:8080"] },
    });
    assert.is(created.status, 201);
    assert.equal(created.body.allowedOrigins, ["http://localhost:8080"]);
  });

  tenancy("suspended is 402, cancelled is 403, reactivated works again", async ({ engine }) => {
    const tenant = await signUpTenant(engine, "status-co");
    const admin = { token: testAdminToken };
    const setStatus = (subscriptionStatus: string) =>
      engine.api("PATCH", `/api/v1/admin/tenants/${tenant.code}`, {
        ...admin,
        body: { subscriptionStatus },
      });

    assert.is((await setStatus("suspended")).status, 200);
    const suspended = await engine.api("GET", "/api/v1/tenant", { token: tenant.secretKey });
    assert.is(suspended.status, 402);
    assert.is(suspended.body.error.code, "tenant_suspended");
    // Staff may still sign in, to pay; the token reaches billing and nothing else.
    const login = await engine.api("POST", "/api/v1/auth/login", {
      body: { tenantCode: tenant.code, email: tenant.email, password: tenant.password },
    });
    assert.is(login.status, 200);
    assert.is(login.body.subscriptionStatus, "suspended");
    const staff = { token: login.body.token as string };
    assert.is((await engine.api("GET", "/api/v1/tenant", staff)).status, 402);
    assert.is((await engine.api("GET", "/api/v1/billing", staff)).status, 200);

    assert.is((await setStatus("cancelled")).status, 200);
    const cancelled = await engine.api("GET", "/api/v1/tenant", { token: tenant.secretKey });
    assert.is(cancelled.status, 403);
    assert.is(cancelled.body.error.code, "tenant_cancelled");

    // An active tenant's secret key needs a plan with API access.
    const upgrade = { ...admin, body: { planSlug: "professional" } };
    await engine.api("PATCH", `/api/v1/admin/tenants/${tenant.code}`, upgrade);
    assert.is((await setStatus("active")).status, 200);
    const active = await engine.api("GET", "/api/v1/tenant", { token: tenant.secretKey });
    assert.is(active.status, 200);
    assert.is(active.body.subscriptionStatus, "active");
  });

  tenancy(
    "the platform admin lists tenants and changes plans; others may not",
    async ({ engine }) => {
      const tenant = await signUpTenant(engine, "admin-co");
      const changed = await engine.api("PATCH", `/api/v1/admin/tenants/${tenant.code}`, {
        token: testAdminToken,
        body: { planSlug: "enterprise" },
      });
      assert.is(changed.status, 200);
      assert.is(changed.body.plan, "enterprise");
      assert.is(changed.body.limits.bookingsPerMonth, -1);

      const listed = await engine.api("GET", "/api/v1/admin/tenants?limit=100", {
        token: testAdminToken,
      });
      assert.is(listed.status, 200);
      const row = listed.body.data.find((t: { code: string }) => t.code === tenant.code);
      assert.is(row.plan, "enterprise");
      assert.is(row.usage.users, 1);

      const asTenant = await engine.api("GET", "/api/v1/admin/tenants", {
        token: tenant.secretKey,
      });
      assert.is(asTenant.status, 403);
      const anonymous = await engine.api("GET", "/api/v1/admin/tenants");
      assert.is(anonymous.status, 401);
      const unknown = await engine.api("PATCH", "/api/v1/admin/tenants/no-such-co", {
        token: testAdminToken,
        body: { planSlug: "business" },
      });
      assert.is(unknown.status, 404);
    },
  );

  tenancy("admin listing pages with a cursor", async ({ engine }) => {
    const first = await engine.api("GET", "/api/v1/admin/tenants?limit=2", {
      token: testAdminToken,
    });
    assert.is(first.body.data.length, 2);
    assert.type(first.body.nextCursor, "string");
    const second = await engine.api(
      "GET",
      `/api/v1/admin/tenants?limit=2&cursor=${first.body.nextCursor}`,
      {
        token: testAdminToken,
      },
    );
    assert.is(second.status, 200);
    const firstIds = first.body.data.map((t: { id: string }) => t.id);
    assert.not.ok(second.body.data.some((t: { id: string }) => firstIds.includes(t.id)));
  });

  tenancy(
    "missing, unknown and malformed credentials are 401 in the error shape",
    async ({ engine }) => {
      const cases = [
        {},
        { token: "sk_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
        { token: "not-a-credential" },
        { headers: { authorization: "Basic dXNlcjpwYXNz" } },
        { token: "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0." },
      ];
      for (const request of cases) {
        const answer = await engine.api("GET", "/api/v1/tenant", request);
        assert.is(answer.status, 401, JSON.stringify(request));
        assert.type(answer.body.error.code, "string");
        assert.type(answer.body.error.message, "string");
      }
    },
  );

  tenancy(
    "every answer carries a request id; a sane incoming one is echoed",
    async ({ engine }) => {
      const fresh = await engine.api("GET", "/healthz");
      assert.match(fresh.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
      const echoed = await engine.api("GET", "/healthz", {
        headers: { "x-request-id": "trace-12345678" },
      });
      assert.is(echoed.headers.get("x-request-id"), "trace-12345678");
      assert.ok(echoed.headers.get("x-content-type-options"), "security headers are set");
    },
  );

  tenancy(
    "branding is set through the API, reaches the widget's config, and bad values change nothing",
    async ({ engine }) => {
      const tenant = await signUpTenant(engine, "brand-co");
      const set = await engine.api("PATCH", "/api/v1/tenant/branding", {
        token: tenant.secretKey,
        body: { primaryColor: "#0B6E4F", fontFamily: "Inter, sans-serif", cornerRadius: 10 },
      });
      assert.is(set.status, 200);
      assert.is(set.body.primaryColor, "#0b6e4f");
      assert.is(set.body.cornerRadius, 10);
      assert.is(set.body.secondaryColor, null);

      for (const body of [
        { primaryColor: "green" },
        { fontFamily: "x; } body { display: none" },
        { cornerRadius: 99 },
        { logoUrl: "javascript:alert(1)" },
        { locale: "xx" },
        { unknown: true },
        {},
      ]) {
        const refused = await engine.api("PATCH", "/api/v1/tenant/branding", {
          token: tenant.secretKey,
          body,
        });
        assert.is(refused.status, 422, JSON.stringify(body));
        assert.is(refused.body.error.code, "invalid_input");
      }
      const publishable = await engine.api("PATCH", "/api/v1/tenant/branding", {
        token: tenant.publishableKey,
        body: { primaryColor: "#000000" },
      });
      assert.is(publishable.status, 403);

      const reset = await engine.api("PATCH", "/api/v1/tenant/branding", {
        token: tenant.secretKey,
        body: { fontFamily: null },
      });
      assert.is(reset.body.fontFamily, null);
      const read = await engine.api("GET", "/api/v1/tenant/branding", { token: tenant.secretKey });
      assert.equal(read.body, { ...set.body, fontFamily: null });
      const config = await engine.api("GET", `/v1/widget/${tenant.code}/config`, {
        token: tenant.publishableKey,
      });
      assert.is(config.status, 200);
      assert.equal(config.body.branding, read.body);
    },
  );

  tenancy.run();
}
