import type Router from "@koa/router";
import type { EngineServices } from "../../commands/command.js";
import type { HttpState } from "../http/http-state.js";

/** MCP (Streamable HTTP) at `/mcp` and the public `/mcp/t/:tenantCode`. */
export function mountMcp(_router: Router<HttpState>, _services: EngineServices): void {}
