import type Router from "@koa/router";
import Stripe from "stripe";
import type { EngineServices } from "../../commands/command.js";
import { receiveStripeEvent } from "../../commands/billing-commands.js";
import { AppError, errors } from "../../domain/app-error.js";
import { errorBody } from "../http/error-responder.js";
import type { HttpState } from "../http/http-state.js";
import { readRawBody } from "../http/raw-body.js";

/** The path Stripe delivers events to. */
export const stripeWebhookPath = "/webhooks/stripe";

/**
 * `POST /webhooks/stripe`: Stripe's signed events. The `Stripe-Signature` over the raw body,
 * under `STRIPE_WEBHOOK_SECRET`, is the credential: a missing or bad one is 400
 * `invalid_signature` and nothing is read further. Each event is applied at most once.
 */
export function mountStripeWebhooks(router: Router<HttpState>, services: EngineServices): void {
  router.post(stripeWebhookPath, async (ctx) => {
    const secret = services.config.billing.stripeWebhookSecret;
    if (!secret) {
      throw errors.unavailable(
        "Stripe webhooks are not configured on this platform (STRIPE_WEBHOOK_SECRET is unset)",
      );
    }
    const body = await readRawBody(ctx, services.config.bodyLimitKb);
    const event = verifyStripeEvent(body, ctx.get("stripe-signature"), secret);
    if (event instanceof AppError) {
      // Stripe's convention is 400 for a refused signature (other signed webhooks answer 401).
      ctx.status = 400;
      ctx.body = errorBody(event);
      return;
    }

    const receipt = await receiveStripeEvent(services, event, {
      ipAddress: ctx.ip,
      requestId: ctx.state.requestId,
    });
    ctx.state.log.debug({ eventId: event.id, type: event.type, receipt }, "stripe event");
    ctx.status = 200;
    ctx.body = receipt;
  });
}

/** The event when the signature header proves Stripe sent exactly this body; else why not. */
function verifyStripeEvent(body: Buffer, header: string, secret: string): Stripe.Event | AppError {
  if (header === "") return invalidStripeSignature("the Stripe-Signature header is missing");
  try {
    return Stripe.webhooks.constructEvent(body, header, secret);
  } catch (err) {
    return invalidStripeSignature((err as Error).message);
  }
}

function invalidStripeSignature(reason: string): AppError {
  return new AppError(
    "invalid_signature",
    `${reason}; Stripe events must carry a Stripe-Signature made with this endpoint's signing secret (STRIPE_WEBHOOK_SECRET)`,
  );
}
