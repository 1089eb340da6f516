import type Router from "@koa/router";
import type { EngineServices } from "../../commands/command.js";
import type { HttpState } from "../http/http-state.js";

/** A2A: the agent card and the JSON-RPC endpoint. */
export function mountA2a(_router: Router<HttpState>, _services: EngineServices): void {}
