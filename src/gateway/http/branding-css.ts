import type Router from "@koa/router";
import { createHash } from "node:crypto";
import type { EngineServices } from "../../commands/command.js";
import { errors } from "../../domain/app-error.js";
import { Tenant } from "../../store/entities/index.js";
import { renderBrandingCss } from "../../tenants/branding-css.js";
import { viewBranding } from "../../tenants/tenant-view.js";
import type { HttpState } from "./http-state.js";

/** Browsers and CDNs may keep the stylesheet this long before revalidating with the ETag. */
const cacheControl = "public, max-age=300, stale-while-revalidate=3600";

/**
 * `GET /v1/widget/:tenantCode/branding.css`: the tenant's branding as CSS custom properties,
 * public (it holds nothing secret) and cacheable: an ETag of the content answers 304 when
 * unchanged. Any page may load it, as the widget's bundle.
 */
export function mountBrandingCss(router: Router<HttpState>, services: EngineServices): void {
  router.get("/v1/widget/:tenantCode/branding.css", async (ctx) => {
    const code = String(ctx.params["tenantCode"]);
    const em = services.db.fork();
    const tenant = await em.findOne(Tenant, { tenantCode: code, isActive: true });
    if (!tenant) throw errors.tenantNotFound(code);

    const css = renderBrandingCss(viewBranding(tenant));
    ctx.set("Cache-Control", cacheControl);
    ctx.set("Cross-Origin-Resource-Policy", "cross-origin");
    ctx.set("Access-Control-Allow-Origin", "*");
    ctx.type = "text/css; charset=utf-8";
    ctx.etag = createHash("sha256").update(css).digest("base64url").slice(0, 27);
    ctx.status = 200;
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    ctx.body = css;
  });
}
