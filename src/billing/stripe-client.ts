import Stripe from "stripe";
import type { BillingSettings } from "../config.js";
import { AppError } from "../domain/app-error.js";

/**
 * A Stripe client for the configured secret key, pointed at `STRIPE_API_URL` when set (a local
 * stand-in in tests); undefined when billing is not configured. The API version is the one the
 * installed `stripe` package pins.
 */
export function createStripeClient(settings: BillingSettings): Stripe | undefined {
  if (!settings.stripeSecretKey) return undefined;
  const options: Stripe.StripeConfig = {
    maxNetworkRetries: 2,
    timeout: 15_000,
    appInfo: { name: "vbwd" },
  };
  if (settings.stripeApiUrl) {
    const url = new URL(settings.stripeApiUrl);
    options.host = url.hostname;
    options.port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
    options.protocol = url.protocol === "https:" ? "https" : "http";
  }
  return new Stripe(settings.stripeSecretKey, options);
}

/** The client, or a clear refusal when the platform runs without Stripe. */
export function requireStripe(stripe: Stripe | undefined): Stripe {
  if (!stripe) {
    throw new AppError(
      "unavailable",
      "billing is not configured on this platform (STRIPE_SECRET_KEY is unset); the platform admin sets plans",
    );
  }
  return stripe;
}
