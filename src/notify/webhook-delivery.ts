import { createHmac, randomBytes } from "node:crypto";
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

/**
 * Outbound webhooks as Standard Webhooks describes them: the body is signed with HMAC-SHA-256
 * over `<webhook-id>.<webhook-timestamp>.<body>` under the endpoint's `whsec_` secret (base64
 * after the prefix), sent as `webhook-signature: v1,<base64>`.
 */

/** How long one attempt may take before it counts as failed. */
export const webhookTimeoutMs = 10_000;

/** A new endpoint signing secret: `whsec_` and 32 random bytes in base64. */
export function issueEndpointSecret(): { secret: string; prefix: string } {
  const secret = `whsec_${randomBytes(32).toString("base64")}`;
  return { secret, prefix: secret.slice(0, 12) };
}

/** The `webhook-signature` value of one message. */
export function signWebhook(secret: string, id: string, timestampSec: number, body: string) {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const mac = createHmac("sha256", key).update(`${id}.${timestampSec}.${body}`).digest("base64");
  return `v1,${mac}`;
}

/** One message to send. */
export interface OutgoingWebhook {
  url: string;
  secret: string;
  /** The `webhook-id`: the same on every attempt, so receivers can drop repeats. */
  id: string;
  body: string;
}

/** What one attempt came to. */
export interface AttemptResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface SendOptions {
  timeoutMs: number;
  allowPrivateTargets: boolean;
}

/**
 * Sends one attempt. Success is a 2xx answer; redirects are not followed (a 3xx is a failure,
 * as the receiver moved without telling). Without `allowPrivateTargets`, hosts that resolve to
 * loopback, private, link-local or otherwise internal addresses are refused before connecting.
 */
export async function sendWebhook(
  message: OutgoingWebhook,
  options: SendOptions,
): Promise<AttemptResult> {
  const started = Date.now();
  const done = (statusCode: number | null, error: string | null): AttemptResult => ({
    ok: statusCode !== null && statusCode >= 200 && statusCode < 300,
    statusCode,
    error,
    durationMs: Date.now() - started,
  });
  try {
    if (!options.allowPrivateTargets) {
      const refusal = await privateTargetProblem(new URL(message.url).hostname);
      if (refusal) return done(null, refusal);
    }
    const timestamp = Math.floor(Date.now() / 1000);
    const response = await fetch(message.url, {
      method: "POST",
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs),
      headers: {
        "content-type": "application/json",
        "user-agent": "VBWD-Webhooks/1",
        "webhook-id": message.id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": signWebhook(message.secret, message.id, timestamp, message.body),
      },
      body: message.body,
    });
    // The answer's body is not needed; reading a little frees the connection.
    await response.body?.cancel().catch(() => undefined);
    const ok = response.status >= 200 && response.status < 300;
    return done(response.status, ok ? null : `the endpoint answered ${response.status}`);
  } catch (error) {
    const reason = error instanceof Error ? (error.cause ?? error) : error;
    const text = reason instanceof Error ? reason.message : String(reason);
    return done(null, text.slice(0, 480) || "the request failed");
  }
}

const internal = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  internal.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  internal.addSubnet(network, prefix, "ipv6");
}

/** Why a host may not be called (it is or resolves to an internal address), or undefined. */
export async function privateTargetProblem(hostname: string): Promise<string | undefined> {
  const host = hostname.replace(/^\[|\]$/g, "");
  const addresses = isIP(host)
    ? [{ address: host, family: isIP(host) }]
    : await lookup(host, { all: true }).catch(() => []);
  if (addresses.length === 0) return `${host} does not resolve`;
  for (const { address, family } of addresses) {
    const mapped = address.toLowerCase().startsWith("::ffff:") ? address.slice(7) : address;
    const kind = isIP(mapped) === 4 ? "ipv4" : family === 6 ? "ipv6" : "ipv4";
    if (internal.check(mapped, kind)) {
      return `${host} resolves to an internal address (${address}); webhooks go to public hosts`;
    }
  }
  return undefined;
}
