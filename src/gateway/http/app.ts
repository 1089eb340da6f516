import Router from "@koa/router";
import Koa from "koa";
import helmet from "koa-helmet";
import type { EngineServices } from "../../commands/command.js";
import { errors } from "../../domain/app-error.js";
import { mountA2a } from "../agent/a2a-routes.js";
import { mountAgentProtocol } from "../agent/agent-protocol-routes.js";
import { mountGraphql } from "../graphql/graphql-routes.js";
import { mountMcp } from "../mcp/mcp-routes.js";
import { mountOpenApi } from "../openapi/openapi-routes.js";
import { mountRestRoutes } from "../rest/rest-routes.js";
import { mountInboundWebhooks } from "../webhooks/inbound-webhook-routes.js";
import { mountStripeWebhooks } from "../webhooks/stripe-webhook-routes.js";
import { mountBrandingCss } from "./branding-css.js";
import { adminAssets } from "./admin-assets.js";
import { dashboardAssets } from "./dashboard-assets.js";
import { demoPage } from "./demo-page.js";
import { respondWithErrors } from "./error-responder.js";
import { mountHealthRoutes, type Readiness } from "./health-routes.js";
import type { HttpContext, HttpState } from "./http-state.js";
import { parseJsonBody } from "./json-body.js";
import { trackProtocol } from "./protocol.js";
import { meterProtocols } from "./protocol-metering.js";
import { limitRequests } from "./rate-limit.js";
import { assignRequestId } from "./request-id.js";
import { mountVerifyEmailPage } from "./verify-email-page.js";
import { widgetAssets } from "./widget-assets.js";
import { widgetCors } from "./widget-cors.js";
import { mountUploadRoutes } from "./upload-routes.js";

/** The Koa application: request ids, errors, security headers, bodies, the dashboard, routes. */
export function createHttpApp(services: EngineServices, readiness: Readiness): Koa<HttpState> {
  const app = new Koa<HttpState>();
  app.silent = true;

  const router = new Router<HttpState>();
  mountHealthRoutes(router, readiness);
  mountRestRoutes(router, services);
  mountOpenApi(router, services);
  mountGraphql(router, services);
  mountMcp(router, services);
  mountAgentProtocol(router, services);
  mountA2a(router, services);
  mountInboundWebhooks(router, services);
  mountBrandingCss(router, services);
  mountVerifyEmailPage(router);
  mountUploadRoutes(router, services);
  mountStripeWebhooks(router, services);
  router.get("/", (ctx) => {
    ctx.body = {
      name: "vbwd",
      description: "multi-tenant booking engine",
      health: "/healthz",
      readiness: "/readyz",
    };
  });

  app.use(assignRequestId);
  app.use(respondWithErrors);
  app.use(helmet());
  app.use(refuseWhenDraining(readiness));
  app.use(trackProtocol);
  app.use(meterProtocols(services.protocolUsage));
  // CORS first, so a widget in a browser can read a refusal (429) as well as an answer.
  app.use(widgetCors(services));
  app.use(limitRequests(services));
  // These adapters read their own bodies (their protocols define the content types).
  app.use(parseJsonBody(services.config.bodyLimitKb, ownBodies));
  app.use(dashboardAssets());
  app.use(adminAssets());
  app.use(widgetAssets());
  app.use(demoPage(services));
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true }));
  return app;
}

/** Paths whose protocol adapters read the body themselves (webhooks check the raw bytes). */
const ownBodies =
  /^\/(graphql|mcp|ap|a2a|webhooks\/in|webhooks\/stripe|api\/v1\/tenant\/logo)(\/|$)/;

/** During shutdown, new requests on kept-alive connections get 503 and a closing connection. */
function refuseWhenDraining(readiness: Readiness) {
  return async (ctx: HttpContext, next: Koa.Next) => {
    if (readiness.accepting() || ctx.path === "/healthz" || ctx.path === "/readyz") {
      return next();
    }
    ctx.set("Connection", "close");
    throw errors.unavailable("this node is shutting down; retry on another");
  };
}
