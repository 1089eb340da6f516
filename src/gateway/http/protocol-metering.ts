import type { Next } from "koa";
import type { ProtocolUsageMeter } from "../../tenants/protocol-usage.js";
import type { HttpContext } from "./http-state.js";

/**
 * Counts each answered request of an identified tenant under the protocol `trackProtocol`
 * resolved, for the tenant's analytics; requests of no tenant are not counted.
 */
export function meterProtocols(meter: ProtocolUsageMeter | undefined) {
  return async function meterProtocol(ctx: HttpContext, next: Next): Promise<void> {
    try {
      await next();
    } finally {
      const { tenantId, protocol } = ctx.state;
      if (meter && tenantId !== undefined && protocol !== undefined)
        meter.count(tenantId, protocol);
    }
  };
}
