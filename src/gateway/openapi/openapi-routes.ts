import type Router from "@koa/router";
import type { EngineServices } from "../../commands/command.js";
import type { HttpState } from "../http/http-state.js";

/** `/openapi.json` generated from the command registry, and `/docs`. */
export function mountOpenApi(_router: Router<HttpState>, _services: EngineServices): void {}
