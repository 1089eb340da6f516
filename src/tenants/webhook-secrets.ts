import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

const sealVersion = "v1";
const visibleSecretChars = 12;

/** A new inbound webhook signing secret, `whsec_…` (256 random bits). */
export function issueWebhookSecret(): { secret: string; prefix: string } {
  const secret = `whsec_${randomBytes(32).toString("base64url")}`;
  return { secret, prefix: secret.slice(0, visibleSecretChars) };
}

/**
 * Encrypts a source's signing secret for storage: AES-256-GCM under a key derived (HKDF) from
 * the platform pepper, bound to the source id so a sealed secret cannot be moved to another
 * source. Changing `KEY_PEPPER` makes stored secrets unreadable, as it makes API keys unknown.
 */
export function sealWebhookSecret(pepper: Buffer, sourceId: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", sealingKey(pepper), iv);
  cipher.setAAD(Buffer.from(sourceId, "utf8"));
  const sealed = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
  const parts = [iv, sealed, cipher.getAuthTag()].map((part) => part.toString("base64url"));
  return [sealVersion, ...parts].join(".");
}

/** The plain secret of a sealed one; undefined when it does not open (another pepper, tampering). */
export function openWebhookSecret(
  pepper: Buffer,
  sourceId: string,
  sealed: string,
): string | undefined {
  const [version, iv, data, tag] = sealed.split(".");
  if (version !== sealVersion || !iv || !data || !tag) return undefined;
  try {
    const decipher = createDecipheriv(
      "aes-256-gcm",
      sealingKey(pepper),
      Buffer.from(iv, "base64url"),
    );
    decipher.setAAD(Buffer.from(sourceId, "utf8"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    const plain = Buffer.concat([
      decipher.update(Buffer.from(data, "base64url")),
      decipher.final(),
    ]);
    return plain.toString("utf8");
  } catch {
    return undefined;
  }
}

const keys = new WeakMap<Buffer, Buffer>();

function sealingKey(pepper: Buffer): Buffer {
  let key = keys.get(pepper);
  if (!key) {
    const info = "vbwd inbound webhook secrets";
    key = Buffer.from(hkdfSync("sha256", pepper, "vbwd", info, 32));
    keys.set(pepper, key);
  }
  return key;
}
