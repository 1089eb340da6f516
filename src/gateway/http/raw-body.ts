import { errors } from "../../domain/app-error.js";
import type { HttpContext } from "./http-state.js";

/**
 * A request body as the bytes sent: what signatures are checked over and files are made of.
 * Refuses a body past `limitKb` (413, before reading when the length is declared) and one
 * sent with a content encoding (415), which would have to be undone before it means anything.
 */
export async function readRawBody(ctx: HttpContext, limitKb: number): Promise<Buffer> {
  const encoding = ctx.get("content-encoding");
  if (encoding !== "" && encoding !== "identity") {
    throw errors.unsupportedMediaType(`${ctx.get("content-type")} with ${encoding} encoding`);
  }
  const limit = limitKb * 1024;
  if ((ctx.request.length ?? 0) > limit) throw errors.payloadTooLarge(limitKb);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw errors.payloadTooLarge(limitKb);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
