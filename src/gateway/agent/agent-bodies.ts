import { errors } from "../../domain/app-error.js";
import type { HttpContext } from "../http/http-state.js";
import { readRawBody } from "../http/raw-body.js";

/**
 * Reads an optional JSON body: none is `undefined`, broken JSON a 400, another content type
 * a 415. A missing content type is read as JSON, as simple agent clients often omit it.
 */
export async function readJsonBody(ctx: HttpContext, limitKb: number): Promise<unknown> {
  const type = ctx.get("content-type");
  if (type !== "" && !ctx.is("application/json", "+json", "text/plain")) {
    throw errors.unsupportedMediaType(type);
  }
  const text = (await readRawBody(ctx, limitKb)).toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw errors.malformed(`the body is not valid JSON (${(err as Error).message})`);
  }
}

/** A file taken from a multipart form. */
export interface UploadedFile {
  fileName: string;
  mediaType: string;
  content: Buffer;
  fields: Record<string, string>;
}

/**
 * Reads a `multipart/form-data` body with one file in `fileField`, through the platform's
 * own form parser. A content type sent without its boundary (some clients do) takes the
 * boundary from the body's first line.
 */
export async function readMultipartFile(
  ctx: HttpContext,
  limitKb: number,
  fileField: string,
): Promise<UploadedFile> {
  if (!ctx.is("multipart/form-data")) {
    throw errors.unsupportedMediaType(ctx.get("content-type") || "none");
  }
  const body = await readRawBody(ctx, limitKb);
  const form = await parseForm(body, contentTypeWithBoundary(ctx.get("content-type"), body));
  const file = form.get(fileField);
  if (file === null || typeof file === "string") {
    throw errors.invalidInput([{ path: fileField, message: "attach a file in this form field" }]);
  }
  const fields: Record<string, string> = {};
  for (const [name, value] of form.entries()) {
    if (typeof value === "string") fields[name] = value;
  }
  return {
    fileName: file.name || "upload",
    mediaType: file.type || "application/octet-stream",
    content: Buffer.from(await file.arrayBuffer()),
    fields,
  };
}

async function parseForm(body: Buffer, contentType: string): Promise<FormData> {
  try {
    const request = new Request("http://agent.invalid/", {
      method: "POST",
      headers: { "content-type": contentType },
      body,
    });
    return await request.formData();
  } catch (err) {
    throw errors.malformed(`the multipart body could not be read (${(err as Error).message})`);
  }
}

function contentTypeWithBoundary(contentType: string, body: Buffer): string {
  if (/;\s*boundary=/i.test(contentType)) return contentType;
  const firstLine = body.subarray(0, 200).toString("latin1").split("\r\n", 1)[0] ?? "";
  if (!/^--[\x21-\x7e]{1,70}$/.test(firstLine)) return contentType;
  return `multipart/form-data; boundary=${firstLine.slice(2)}`;
}
