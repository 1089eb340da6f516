import dns2 from "dns2";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { ConfigError, loadConfig } from "../../src/config.js";
import { Tenant } from "../../src/store/entities/index.js";
import { checkCustomDomain, customDomainCandidate } from "../../src/tenants/custom-domains.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import {
  createAgentKey,
  getWithHost,
  signUpTenant,
  startTestEngine,
  testAdminToken,
  type TestEngine,
  type TestTenant,
} from "../support/engine.js";
import { redisUrl, warnSkipped } from "../support/services.js";
import { snapshotTables } from "../support/table-snapshot.js";

const baseDomain = "vbwd.test";

/** A DNS server of the test's own: answers TXT questions from `records`, nothing else. */
class TestDns {
  readonly records = new Map<string, string[]>();
  private constructor(
    private readonly server: ReturnType<typeof dns2.createServer>,
    readonly port: number,
  ) {}

  static async start(): Promise<TestDns> {
    let dns: TestDns | undefined;
    const server = dns2.createServer({
      udp: true,
      handle: (request, send) => {
        const response = dns2.Packet.createResponseFromRequest(request);
        for (const question of request.questions) {
          const name = question.name.toLowerCase();
          const values = question.type === dns2.Packet.TYPE.TXT ? dns!.records.get(name) : [];
          for (const data of values ?? []) {
            response.answers.push(
              dns2.Packet.createResourceFromQuestion(question, { ttl: 1, data } as object),
            );
          }
          if (!dns!.records.has(name)) response.header.rcode = dns2.Packet.RCODE.NXDOMAIN;
        }
        send(response);
      },
    });
    const addresses = await server.listen({ udp: { port: 0, address: "127.0.0.1" } });
    dns = new TestDns(server, addresses.udp!.port);
    return dns;
  }

  /** Publishes a TXT record, next to any already at that name. */
  add(name: string, value: string): void {
    this.records.set(name, [...(this.records.get(name) ?? []), value]);
  }

  async close(): Promise<void> {
    await this.server.close();
  }
}

// ---------------------------------------------------------------------------------------------

const validator = suite("custom domains: the domain validator");

validator("accepts host names and gives them in lowercase without a final dot", () => {
  assert.equal(checkCustomDomain("booking.clinic-a.test", baseDomain), {
    domain: "booking.clinic-a.test",
  });
  assert.equal(checkCustomDomain(" Booking.Example.COM. ", baseDomain), {
    domain: "booking.example.com",
  });
  assert.equal(checkCustomDomain("xn--bcher-kva.example", baseDomain), {
    domain: "xn--bcher-kva.example",
  });
  assert.equal(checkCustomDomain("example.com", undefined), { domain: "example.com" });
  const longest = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`;
  assert.is(longest.length, 253);
  assert.equal(checkCustomDomain(longest, baseDomain), { domain: longest });
});

validator("refuses addresses, bare names, bad labels, long names and the platform's names", () => {
  const refused = [
    "",
    "   ",
    "localhost",
    "app.localhost",
    "example",
    "127.0.0.1",
    "10.0.0.1",
    "::1",
    "[::1]",
    "2001:db8::1",
    "1.2.3",
    "-bad.example.com",
    "bad-.example.com",
    "a..b.example.com",
    ".example.com",
    "under_score.example.com",
    "with space.example.com",
    "exämple.com",
    "http://example.com",
    "example.com/path",
    "example.com:8080",
    `${"a".repeat(64)}.com`,
    `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(62)}`,
    baseDomain,
    `acme.${baseDomain}`,
    `a.b.${baseDomain}`,
    `VBWD.TEST`,
  ];
  for (const raw of refused) {
    const checked = checkCustomDomain(raw, baseDomain);
    assert.ok("problem" in checked, `${JSON.stringify(raw)} should be refused`);
  }
  // Not the platform's when no BASE_DOMAIN is set, and another domain that ends the same way.
  assert.ok("domain" in checkCustomDomain(`acme.${baseDomain}`, undefined));
  assert.ok("domain" in checkCustomDomain(`acme.not${baseDomain}`, baseDomain));
});

validator("only hosts that can be custom domains are looked up", () => {
  for (const host of ["localhost", "127.0.0.1", "[::1]", "acme.vbwd.test", "vbwd.test", "box"]) {
    assert.is(customDomainCandidate(host, baseDomain), undefined, host);
  }
  assert.is(customDomainCandidate("Booking.Clinic-A.test", baseDomain), "booking.clinic-a.test");
});

validator("DNS_SERVERS takes comma-separated ip[:port] entries", () => {
  assert.is(loadConfig({}).dnsServers, undefined);
  assert.equal(
    loadConfig({ DNS_SERVERS: "127.0.0.1:5353, [2001:db8::53]:53,192.0.2.1" }).dnsServers,
    ["127.0.0.1:5353", "[2001:db8::53]:53", "192.0.2.1"],
  );
  for (const bad of [
    "dns.example.com",
    "1.2.3.4:0",
    "1.2.3.4:70000",
    "127.0.0.1,",
    "[1.2.3.4]:53",
  ]) {
    try {
      loadConfig({ DNS_SERVERS: bad });
      assert.unreachable(`DNS_SERVERS=${bad} should be refused`);
    } catch (err) {
      assert.instance(err, ConfigError, bad);
      assert.match((err as ConfigError).problems.join(), "DNS_SERVERS: expected");
    }
  }
});

validator.run();

// ---------------------------------------------------------------------------------------------

interface Context {
  scratch: ScratchDatabase;
  engine: TestEngine;
  dns: TestDns;
  a: TestTenant;
  b: TestTenant;
}

for (const dialect of dialectsUnderTest()) {
  const domains = suite<Context>(`custom domains: verify and resolve (${dialect.name})`);

  domains.before(async (context) => {
    context.dns = await TestDns.start();
    context.scratch = await dialect.create("domains");
    context.engine = await startTestEngine(context.scratch.target, {
      BASE_DOMAIN: baseDomain,
      DNS_SERVERS: `127.0.0.1:${context.dns.port}`,
    });
    context.a = await signUpTenant(context.engine, "clinic-a");
    context.b = await signUpTenant(context.engine, "clinic-b");
  });

  domains.after(async ({ engine, scratch, dns }) => {
    await engine.stop();
    await scratch.drop();
    await dns.close();
  });

  const status = (engine: TestEngine, tenant: TestTenant) =>
    engine.api("GET", "/api/v1/tenant/domain", { token: tenant.secretKey });
  const tenantVia = (engine: TestEngine, host: string, tenant: TestTenant) =>
    getWithHost(engine.url, "/api/v1/tenant", host, tenant.secretKey);

  domains("a tenant without a domain has none", async ({ engine, a }) => {
    const answer = await status(engine, a);
    assert.is(answer.status, 200);
    assert.equal(answer.body, { domain: null, status: "none", verifiedAt: null, dnsRecord: null });
  });

  domains(
    "set → verify fails without the TXT record → add it → verify → the host resolves",
    async ({ engine, dns, a, b }) => {
      const host = "booking.clinic-a.test";
      const set = await put(engine, a, "Booking.Clinic-A.test");
      assert.is(set.status, 200);
      assert.is(set.body.domain, host);
      assert.is(set.body.status, "pending");
      assert.is(set.body.verifiedAt, null);
      const record = set.body.dnsRecord;
      assert.is(record.type, "TXT");
      assert.is(record.name, `_vbwd-challenge.${host}`);
      assert.match(record.value, /^vbwd-verify=[A-Za-z0-9_-]{32}$/);

      // Asking again for the same domain keeps the token the record is being made with.
      const again = await put(engine, a, host);
      assert.equal(again.body, set.body);

      // While pending, the host names nobody: tenant B's key works there (and the miss is
      // remembered, which verification must make every node forget).
      assert.is((await tenantVia(engine, host, b)).status, 200);

      const before = await snapshotTables(engine.engine.services.db);
      const missing = await verify(engine, a);
      assert.is(missing.status, 422);
      assert.is(missing.body.error.code, "domain_not_verified");
      assert.match(missing.body.error.message, record.name);
      assert.match(missing.body.error.message, record.value);
      assert.match(missing.body.error.message, "no TXT record was found");
      assert.equal(missing.body.error.details.expected, record);
      assert.equal(missing.body.error.details.found, []);

      dns.add(record.name, "vbwd-verify=not-the-token");
      dns.add(record.name, "v=unrelated");
      const wrong = await verify(engine, a);
      assert.is(wrong.status, 422);
      assert.is(wrong.body.error.code, "domain_not_verified");
      assert.equal(wrong.body.error.details.found, ["vbwd-verify=not-the-token"]);
      assert.match(wrong.body.error.message, "vbwd-verify=not-the-token");
      assert.is(await snapshotTables(engine.engine.services.db), before);
      assert.is((await status(engine, a)).body.status, "pending");

      dns.add(record.name, record.value);
      const verified = await verify(engine, a);
      assert.is(verified.status, 200);
      assert.is(verified.body.status, "verified");
      assert.is(verified.body.domain, host);
      const at = Date.parse(verified.body.verifiedAt);
      assert.ok(Math.abs(Date.now() - at) < 60_000, `verified at ${verified.body.verifiedAt}`);
      assert.equal((await status(engine, a)).body, verified.body);
      // Verifying again changes nothing.
      assert.equal((await verify(engine, a)).body, verified.body);
      // The operator's list for certificate automation has it, and only verified domains.
      const listed = await engine.api("GET", "/api/v1/admin/domains", { token: testAdminToken });
      assert.is(listed.status, 200);
      assert.equal(listed.body.data, [
        {
          domain: host,
          tenantCode: "clinic-a",
          subscriptionStatus: "trial",
          verifiedAt: verified.body.verifiedAt,
        },
      ]);
      const notOperator = await engine.api("GET", "/api/v1/admin/domains", { token: a.secretKey });
      assert.is(notOperator.status, 403);

      const own = await tenantVia(engine, host, a);
      assert.is(own.status, 200);
      assert.is(own.body.id, a.id);
      assert.is(own.body.code, "clinic-a");
      const other = await tenantVia(engine, host, b);
      assert.is(other.status, 403);
      assert.is(other.body.error.code, "tenant_mismatch");
      // Any case of the host is the same domain.
      assert.is((await tenantVia(engine, "BOOKING.clinic-a.test", b)).status, 403);
      // An explicit X-Tenant-ID still comes first: B naming itself on A's host is B.
      const named = await engine.api("GET", "/api/v1/tenant", {
        token: b.secretKey,
        headers: { "x-tenant-id": "clinic-b" },
      });
      assert.is(named.status, 200);
    },
  );

  domains("the engine's own hosts never consult custom domains", async ({ engine, a }) => {
    for (const host of ["localhost", "127.0.0.1", `clinic-a.${baseDomain}`, baseDomain]) {
      const answer = await tenantVia(engine, host, a);
      assert.is(answer.status, 200, host);
      assert.is(answer.body.id, a.id);
      // Nothing was looked up for it, so nothing is remembered either.
      assert.is(engine.engine.services.identities.tenantOfHost(host), undefined, host);
    }
    assert.is(
      engine.engine.services.identities.tenantOfHost("booking.clinic-a.test"),
      a.id,
      "a custom domain is remembered once looked up",
    );
    const mismatch = await tenantVia(engine, `clinic-b.${baseDomain}`, a);
    assert.is(mismatch.body.error.code, "tenant_mismatch");
  });

  domains(
    "an unverified domain never resolves, and each tenant sees only its own domain",
    async ({ engine, a, b }) => {
      const pending = await put(engine, b, "pending.clinic-b.test");
      assert.is(pending.status, 200);
      assert.is(pending.body.status, "pending");
      // Tenant A's key on B's pending domain: the host names nobody, so A it is.
      const viaA = await tenantVia(engine, "pending.clinic-b.test", a);
      assert.is(viaA.status, 200);
      assert.is(viaA.body.id, a.id);
      const viaB = await tenantVia(engine, "pending.clinic-b.test", b);
      assert.is(viaB.body.id, b.id);

      const seenByA = await status(engine, a);
      const seenByB = await status(engine, b);
      assert.is(seenByA.body.domain, "booking.clinic-a.test");
      assert.is(seenByB.body.domain, "pending.clinic-b.test");
      assert.is.not(seenByA.body.dnsRecord.value, seenByB.body.dnsRecord.value);
    },
  );

  domains(
    "a domain another tenant verified is 409 domain_taken and changes nothing",
    async ({ engine, b }) => {
      const before = await snapshotTables(engine.engine.services.db);
      const taken = await put(engine, b, "booking.clinic-a.test");
      assert.is(taken.status, 409);
      assert.is(taken.body.error.code, "domain_taken");
      assert.match(taken.body.error.message, "booking.clinic-a.test");
      assert.is(await snapshotTables(engine.engine.services.db), before);
    },
  );

  domains("two tenants racing to verify one domain: exactly one wins", async ({ engine, dns }) => {
    const contenders = [
      await signUpTenant(engine, "racer-one"),
      await signUpTenant(engine, "racer-two"),
      await signUpTenant(engine, "racer-three"),
    ];
    const domain = "shared.race.test";
    for (const tenant of contenders) {
      const set = await put(engine, tenant, domain);
      assert.is(set.status, 200);
      dns.add(set.body.dnsRecord.name, set.body.dnsRecord.value);
    }
    const answers = await Promise.all(contenders.map((tenant) => verify(engine, tenant)));
    const statuses = answers.map((answer) => answer.status).sort();
    assert.equal(statuses, [200, 409, 409]);
    for (const loser of answers.filter((answer) => answer.status === 409)) {
      assert.is(loser.body.error.code, "domain_taken");
    }
    const winner = contenders[answers.findIndex((answer) => answer.status === 200)]!;

    const em = engine.engine.services.db.fork();
    const holders = await em.find(Tenant, { customDomain: domain });
    assert.equal(
      holders.map((tenant) => tenant.id),
      [winner.id],
    );
    for (const tenant of contenders) {
      const answer = await tenantVia(engine, domain, tenant);
      assert.is(answer.status, tenant === winner ? 200 : 403, tenant.code);
      if (tenant !== winner) assert.is((await status(engine, tenant)).body.status, "pending");
    }
  });

  domains("bad domains are 422 invalid_input and change nothing", async ({ engine, a }) => {
    const before = await snapshotTables(engine.engine.services.db);
    const bad: unknown[] = [
      "",
      "localhost",
      "127.0.0.1",
      "::1",
      "[2001:db8::1]",
      baseDomain,
      `evil.${baseDomain}`,
      "no_underscores.example.com",
      "-dash.example.com",
      "a..b.example.com",
      "example",
      "exämple.com",
      `${"a".repeat(64)}.example.com`,
      `${"abcdefghi.".repeat(26)}com`,
      "x".repeat(301),
      42,
      null,
    ];
    for (const domain of bad) {
      const answer = await put(engine, a, domain);
      assert.is(answer.status, 422, JSON.stringify(domain));
      assert.is(answer.body.error.code, "invalid_input");
      assert.is(answer.body.error.details[0].path, "domain");
    }
    const noBody = await engine.api("PUT", "/api/v1/tenant/domain", { token: a.secretKey });
    assert.is(noBody.status, 422);
    assert.is(await snapshotTables(engine.engine.services.db), before);
    // The verified domain is untouched.
    assert.is((await status(engine, a)).body.status, "verified");
  });

  domains("verifying with no domain set is 409 and changes nothing", async ({ engine }) => {
    const fresh = await signUpTenant(engine, "no-domain-co");
    const before = await snapshotTables(engine.engine.services.db);
    const answer = await verify(engine, fresh);
    assert.is(answer.status, 409);
    assert.is(answer.body.error.code, "conflict");
    assert.is(await snapshotTables(engine.engine.services.db), before);
  });

  domains(
    "only an owner's secret key or owner staff token manages the domain",
    async ({ engine, a }) => {
      const agentKey = await createAgentKey(engine, a);
      for (const token of [a.publishableKey, agentKey]) {
        for (const [method, path] of [
          ["GET", "/api/v1/tenant/domain"],
          ["PUT", "/api/v1/tenant/domain"],
          ["POST", "/api/v1/tenant/domain/verify"],
          ["DELETE", "/api/v1/tenant/domain"],
        ] as const) {
          const answer = await engine.api(method, path, {
            token,
            body: method === "PUT" ? { domain: "other.example.com" } : undefined,
          });
          assert.is(answer.status, 403, `${method} ${path}`);
          assert.is(answer.body.error.code, "insufficient_scope");
        }
      }
      const login = await engine.api("POST", "/api/v1/auth/login", {
        body: { tenantCode: a.code, email: a.email, password: a.password },
      });
      const staff = await engine.api("GET", "/api/v1/tenant/domain", { token: login.body.token });
      assert.is(staff.status, 200);
      assert.is(staff.body.domain, "booking.clinic-a.test");
      const none = await engine.api("GET", "/api/v1/tenant/domain");
      assert.is(none.status, 401);
    },
  );

  domains(
    "changing or removing the domain stops it resolving at once",
    async ({ engine, dns, a, b }) => {
      const host = "booking.clinic-a.test";
      // Resolved (and remembered) as A's.
      assert.is((await tenantVia(engine, host, b)).status, 403);

      const moved = await put(engine, a, "www.clinic-a.test");
      assert.is(moved.body.status, "pending");
      assert.is((await tenantVia(engine, host, b)).status, 200);
      dns.add(moved.body.dnsRecord.name, moved.body.dnsRecord.value);
      assert.is((await verify(engine, a)).body.status, "verified");
      assert.is((await tenantVia(engine, "www.clinic-a.test", b)).status, 403);

      const removed = await engine.api("DELETE", "/api/v1/tenant/domain", { token: a.secretKey });
      assert.is(removed.status, 200);
      assert.equal(removed.body, {
        domain: null,
        status: "none",
        verifiedAt: null,
        dnsRecord: null,
      });
      const after = await tenantVia(engine, "www.clinic-a.test", b);
      assert.is(after.status, 200);
      assert.is(after.body.id, b.id);
      // Removing again is harmless; the freed domain can be claimed by another tenant.
      const again = await engine.api("DELETE", "/api/v1/tenant/domain", { token: a.secretKey });
      assert.is(again.body.status, "none");
      const claimed = await put(engine, b, host);
      assert.is(claimed.status, 200);
      assert.is(claimed.body.status, "pending");
    },
  );

  domains.run();
}

// ---------------------------------------------------------------------------------------------

const sharedRedis = redisUrl();
const mysql = dialectsUnderTest().find((dialect) => dialect.name === "mysql");
if (!sharedRedis || !mysql) {
  warnSkipped("custom domains across nodes", "needs DATABASE_URL=mysql://… and REDIS_URL");
} else {
  const nodes = suite<{ scratch: ScratchDatabase; one: TestEngine; two: TestEngine; dns: TestDns }>(
    "custom domains: every node forgets a changed domain (mysql, redis)",
  );

  nodes.before(async (context) => {
    context.dns = await TestDns.start();
    context.scratch = await mysql.create("domains_nodes");
    const cluster = `dom${Math.random().toString(36).slice(2, 8)}`;
    const env = (node: string) => ({
      BASE_DOMAIN: baseDomain,
      DNS_SERVERS: `127.0.0.1:${context.dns.port}`,
      REDIS_URL: sharedRedis,
      CLUSTER_NAME: cluster,
      NODE_ID: `${cluster}-${node}`,
      ACTOR_SHARDS: "16",
    });
    context.one = await startTestEngine(context.scratch.target, env("one"));
    context.two = await startTestEngine(context.scratch.target, env("two"));
  });

  nodes.after(async ({ one, two, scratch, dns }) => {
    await two.stop();
    await one.stop();
    await scratch.drop();
    await dns.close();
  });

  nodes(
    "a domain verified and removed on one node resolves and stops on the other",
    async ({ one, two, dns }) => {
      const a = await signUpTenant(one, "node-a");
      const b = await signUpTenant(one, "node-b");
      const host = "book.node-a.test";
      const set = await put(one, a, host);
      dns.add(set.body.dnsRecord.name, set.body.dnsRecord.value);
      // Node two remembers that the host names nobody…
      assert.is((await getWithHost(two.url, "/api/v1/tenant", host, b.secretKey)).status, 200);
      assert.is((await verify(one, a)).body.status, "verified");
      // …until node one's verification reaches it.
      await eventually(async () => {
        const answer = await getWithHost(two.url, "/api/v1/tenant", host, b.secretKey);
        assert.is(answer.status, 403);
        assert.is(answer.body.error.code, "tenant_mismatch");
      });
      await one.api("DELETE", "/api/v1/tenant/domain", { token: a.secretKey });
      await eventually(async () => {
        const answer = await getWithHost(two.url, "/api/v1/tenant", host, b.secretKey);
        assert.is(answer.status, 200);
      });
    },
  );

  nodes.run();
}

function put(engine: TestEngine, tenant: TestTenant, domain: unknown) {
  return engine.api("PUT", "/api/v1/tenant/domain", { token: tenant.secretKey, body: { domain } });
}

function verify(engine: TestEngine, tenant: TestTenant) {
  return engine.api("POST", "/api/v1/tenant/domain/verify", { token: tenant.secretKey });
}

/** Retries `check` for up to two seconds (a pub/sub message takes a moment to arrive). */
async function eventually(check: () => Promise<void>): Promise<void> {
  const until = Date.now() + 2000;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
