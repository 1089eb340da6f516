import { z } from "zod";
import { isValidTimeZone } from "../domain/time-zones.js";
import { reservedTenantCodes, tenantCodePattern } from "../domain/tenancy.js";

/** A tenant code: a subdomain label of 3–50 characters, not one the platform keeps. */
export const tenantCodeSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(tenantCodePattern, "use 3–50 lowercase letters, digits or inner hyphens")
  .refine((code) => !reservedTenantCodes.has(code), "this code is reserved; choose another");

/** An email address, compared in lower case. */
export const emailSchema = z.email("expected an email address").max(255).toLowerCase();

/** An IANA time zone such as Europe/Berlin. */
export const timeZoneSchema = z
  .string()
  .refine(isValidTimeZone, "expected an IANA time zone such as Europe/Berlin");

/** A page size for list calls (1–100, default 50), possibly from a query string. */
export const pageLimitSchema = z.coerce.number().int().min(1).max(100).default(50);

/** A browser origin such as https://clinic.example.com (scheme, host, optional port). */
export const originSchema = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return ["http:", "https:"].includes(url.protocol) && url.origin === value;
  } catch {
    return false;
  }
}, "expected an origin such as https://clinic.example.com, without a path or trailing slash");

/** An opaque id from a path. */
export const idSchema = z.string().min(1).max(60);
