import type Router from "@koa/router";
import type { EngineServices } from "../../commands/command.js";
import { executeCommand } from "../../commands/execute.js";
import { commands } from "../../commands/registry.js";
import { maxLogoBytes } from "../../domain/uploads.js";
import type { HttpState } from "./http-state.js";
import { readRawBody } from "./raw-body.js";
import { credentialOf, tenantHintOf } from "./request-identity.js";

/**
 * `PUT /api/v1/tenant/logo` (the raw image as the body) and `GET /v1/files/:id` (a public
 * file's bytes, cacheable forever: a changed logo gets a new id).
 */
export function mountUploadRoutes(router: Router<HttpState>, services: EngineServices): void {
  router.put("/api/v1/tenant/logo", async (ctx) => {
    const data = await readRawBody(ctx, maxLogoBytes / 1024);
    ctx.body = await executeCommand(services, commands.setLogo, {
      input: { contentType: ctx.get("content-type"), data },
      credential: credentialOf(ctx),
      tenantHint: tenantHintOf(ctx, services.config.baseDomain, undefined),
      browserOrigin: ctx.get("origin") || undefined,
      protocol: "rest",
      ipAddress: ctx.ip,
      requestId: ctx.state.requestId,
    });
    ctx.status = 200;
  });

  router.get("/v1/files/:id", async (ctx) => {
    const file = await executeCommand(services, commands.getFile, {
      input: { id: ctx.params["id"] },
      protocol: "rest",
      ipAddress: ctx.ip,
      requestId: ctx.state.requestId,
    });
    ctx.status = 200;
    ctx.set("ETag", `"${file.sha256}"`);
    ctx.set("Last-Modified", file.createdAt.toUTCString());
    ctx.set("Cache-Control", "public, max-age=31536000, immutable");
    ctx.set("X-Content-Type-Options", "nosniff");
    // Widgets on tenants' own sites show the logo, so other origins may load it.
    ctx.set("Cross-Origin-Resource-Policy", "cross-origin");
    if (file.contentType === "image/svg+xml") {
      // An SVG opened on its own is a document: no scripts, no requests, its own origin.
      ctx.set("Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'");
    }
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    ctx.type = file.contentType;
    ctx.body = file.data;
  });
}
