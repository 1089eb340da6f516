import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type Router from "@koa/router";
import type { EngineServices } from "../../commands/command.js";
import { findDashboardFolder } from "../http/dashboard-assets.js";
import type { HttpState } from "../http/http-state.js";
import { restRoutes } from "../rest/rest-routes.js";
import { docsAssets } from "./docs-assets.js";
import { buildOpenApiDocument } from "./openapi-document.js";

/**
 * `GET /openapi.json`: the OpenAPI 3.1 document of the REST routes, generated from the route
 * table and the commands' schemas once, with the origin it was asked at as its server.
 * `GET /docs`: a page that reads that document and lists the operations by tag.
 */
export function mountOpenApi(router: Router<HttpState>, _services: EngineServices): void {
  const root = repositoryRoot();
  const document = buildOpenApiDocument(restRoutes, { version: packageVersion(root) });
  const serveDocsFile = docsAssets(root && join(root, "widget", "docs"));

  router.get("/openapi.json", (ctx) => {
    ctx.set("Cache-Control", "no-cache");
    ctx.body = { ...document, servers: [{ url: `${ctx.protocol}://${ctx.host}` }] };
  });
  router.get("/docs", (ctx) => serveDocsFile(ctx, "index.html"));
  router.get("/docs/:file", (ctx) => serveDocsFile(ctx, ctx.params["file"] ?? ""));
}

/** The folder holding package.json, found from where the dashboard's files are looked for. */
function repositoryRoot(): string | undefined {
  const dashboard = findDashboardFolder();
  return dashboard && dirname(dirname(dashboard));
}

function packageVersion(root: string | undefined): string {
  if (!root) return "0.0.0";
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    version?: string;
  };
  return manifest.version ?? "0.0.0";
}
