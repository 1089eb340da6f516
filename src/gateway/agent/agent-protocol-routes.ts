import type Router from "@koa/router";
import type { EngineServices } from "../../commands/command.js";
import type { HttpState } from "../http/http-state.js";

/** Agent Protocol v1 at `/ap/v1/agent/tasks`. */
export function mountAgentProtocol(_router: Router<HttpState>, _services: EngineServices): void {}
