import { SignJWT, UnsecuredJWT } from "jose";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { AppError } from "../../src/domain/app-error.js";
import { issueStaffToken, verifyStaffToken } from "../../src/tenants/staff-tokens.js";

const tokens = suite("tenants: staff tokens");
const key = new TextEncoder().encode("k".repeat(32));
const claims = { userId: "usr_1", tenantId: "ten_1", role: "admin" } as const;

async function refusal(token: string, withKey = key): Promise<string> {
  try {
    await verifyStaffToken(withKey, token);
  } catch (err) {
    return err instanceof AppError ? err.code : "not an AppError";
  }
  return "accepted";
}

tokens("round-trips the user, tenant and role", async () => {
  const { token, expiresAt } = await issueStaffToken(key, claims);
  const verified = await verifyStaffToken(key, token);
  assert.equal([verified.userId, verified.tenantId, verified.role], ["usr_1", "ten_1", "admin"]);
  assert.is(verified.expiresAtMs, Math.floor(expiresAt.getTime() / 1000) * 1000);
  assert.ok(expiresAt.getTime() > Date.now() + 11 * 3600_000);
});

tokens("refuses alg none, another key, expiry and a wrong audience", async () => {
  const unsecured = new UnsecuredJWT({ tid: "ten_1", role: "owner" })
    .setSubject("usr_1")
    .setIssuer("vbwd")
    .setAudience("vbwd:staff")
    .setExpirationTime("1h")
    .encode();
  assert.is(await refusal(unsecured), "invalid_credentials");

  const { token } = await issueStaffToken(key, claims);
  assert.is(await refusal(token, new TextEncoder().encode("x".repeat(32))), "invalid_credentials");

  const sign = (audience: string, expires: number) =>
    new SignJWT({ tid: "ten_1", role: "owner" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("usr_1")
      .setIssuer("vbwd")
      .setAudience(audience)
      .setExpirationTime(expires)
      .sign(key);
  const now = Math.floor(Date.now() / 1000);
  assert.is(await refusal(await sign("vbwd:staff", now - 60)), "invalid_credentials");
  assert.is(await refusal(await sign("someone-else", now + 60)), "invalid_credentials");
  assert.is(await refusal(await sign("vbwd:staff", now + 60)), "accepted");
});

tokens("refuses an HS512 token even under the right key (algorithm pinned)", async () => {
  const token = await new SignJWT({ tid: "ten_1", role: "owner" })
    .setProtectedHeader({ alg: "HS512" })
    .setSubject("usr_1")
    .setIssuer("vbwd")
    .setAudience("vbwd:staff")
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode("k".repeat(64)));
  assert.is(await refusal(token, new TextEncoder().encode("k".repeat(64))), "invalid_credentials");
});

tokens.run();
