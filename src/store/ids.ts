import { randomFillSync } from "node:crypto";

/** Public id prefixes, one per entity that has opaque ids. */
export const idPrefixes = {
  tenant: "ten",
  user: "usr",
  apiKey: "key",
  auditLog: "aud",
  calendar: "cal",
  service: "svc",
  hold: "hld",
  booking: "bkg",
  bookingEvent: "bev",
  idempotency: "idk",
  webhookSource: "whs",
  inboundEvent: "whe",
  outboxEvent: "evt",
  webhookEndpoint: "wep",
  webhookDelivery: "whd",
  webhookAttempt: "wha",
  smsMessage: "sms",
  bookingPayment: "pay",
  upload: "upl",
  emailMessage: "eml",
} as const;

const alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

/**
 * A new opaque id such as `cal_01hq3v…`: 10 characters of milliseconds then 16 of randomness
 * (80 bits), in Crockford's base 32, so ids sort by creation time and cannot be guessed. The
 * randomness comes from one pooled read of the system's generator per 400 ids.
 */
export function newId(prefix: (typeof idPrefixes)[keyof typeof idPrefixes]): string {
  return `${prefix}_${encodeTime(Date.now())}${randomChars()}`;
}

function encodeTime(ms: number): string {
  let out = "";
  for (let i = 0; i < 10; i++) {
    out = alphabet[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

function randomChars(): string {
  if (poolOffset + 10 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  let out = "";
  for (let i = 0; i < 16; i++) {
    // 16 characters × 5 bits = 80 bits, drawn from 10 bytes.
    const bit = i * 5;
    const byte = poolOffset + (bit >> 3);
    const word = (pool[byte]! << 8) | (pool[byte + 1] ?? 0);
    out += alphabet[(word >> (11 - (bit & 7))) & 31];
  }
  poolOffset += 10;
  return out;
}
