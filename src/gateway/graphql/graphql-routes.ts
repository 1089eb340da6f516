import type Router from "@koa/router";
import type { Server } from "node:http";
import type { EngineServices } from "../../commands/command.js";
import type { HttpState } from "../http/http-state.js";

/** GraphQL over HTTP at `/graphql`. */
export function mountGraphql(_router: Router<HttpState>, _services: EngineServices): void {}

/** GraphQL subscriptions (graphql-ws) on the engine's HTTP server, path `/graphql`. */
export function attachGraphqlSubscriptions(
  _server: Server,
  _services: EngineServices,
): { close(): Promise<void> } {
  return { close: async () => undefined };
}
