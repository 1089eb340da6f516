import { createHmac, timingSafeEqual } from "node:crypto";
import { errors } from "../../domain/app-error.js";

/** The header an outside system signs its deliveries with. */
export const signatureHeader = "vbwd-signature";

/** A parsed `VBWD-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]`. */
export interface SignatureClaim {
  timestampSeconds: number;
  /** Every `v1` value; several let a sender sign with an old and a new secret while rotating. */
  signatures: Buffer[];
}

/** Reads the signature header; a missing or unreadable one is a 401 `invalid_signature`. */
export function parseSignatureHeader(value: string | undefined): SignatureClaim {
  if (value === undefined || value.trim() === "") {
    throw errors.invalidSignature("the VBWD-Signature header is missing");
  }
  let timestampSeconds: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of value.split(",")) {
    const [name, field] = part.trim().split("=", 2);
    if (name === "t" && field && /^\d{1,12}$/.test(field)) timestampSeconds = Number(field);
    if (name === "v1" && field && /^[0-9a-f]{64}$/i.test(field)) {
      signatures.push(Buffer.from(field, "hex"));
    }
  }
  if (timestampSeconds === undefined || signatures.length === 0) {
    throw errors.invalidSignature("the VBWD-Signature header needs t=<unix seconds> and v1=<hex>");
  }
  return { timestampSeconds, signatures };
}

/** HMAC-SHA-256 of `"<t>.<raw body>"` under a secret, as senders compute it. */
export function computeSignature(secret: string, timestampSeconds: number, body: Buffer): Buffer {
  return createHmac("sha256", secret).update(`${timestampSeconds}.`, "utf8").update(body).digest();
}

/**
 * Checks a delivery: some `v1` must be the HMAC of the raw body under one of `secrets`
 * (compared in constant time), then its timestamp must lie within `toleranceSeconds` of now.
 */
export function verifySignature(
  claim: SignatureClaim,
  secrets: readonly string[],
  body: Buffer,
  toleranceSeconds: number,
  nowMs = Date.now(),
): void {
  const expected = secrets.map((secret) => computeSignature(secret, claim.timestampSeconds, body));
  const matches = claim.signatures.some((given) =>
    expected.some((wanted) => timingSafeEqual(given, wanted)),
  );
  if (!matches) throw errors.invalidSignature("the signature does not match the body");
  if (Math.abs(nowMs / 1000 - claim.timestampSeconds) > toleranceSeconds) {
    throw errors.signatureExpired(toleranceSeconds);
  }
}
