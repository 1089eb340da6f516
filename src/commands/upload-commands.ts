import { z } from "zod";
import { errors } from "../domain/app-error.js";
import { maxLogoBytes } from "../domain/uploads.js";
import { readPublicFile, removeLogo, replaceLogo, type UploadScope } from "../tenants/uploads.js";
import { defineCommand, tenantOf, type CommandContext, tenantManagers } from "./command.js";
import { uploadOutput } from "./output-schemas.js";
import { idSchema } from "./schemas.js";

function scopeOf(context: CommandContext): UploadScope {
  return {
    em: context.em,
    dialect: context.services.db.target.dialect,
    tenantId: tenantOf(context).id,
    origin: context.origin,
  };
}

/** Uploads the tenant's logo as raw image bytes; the adapter reads the body. */
export const setLogoCommand = defineCommand({
  name: "tenant.logo.set",
  summary:
    "Upload the tenant's logo as the raw body (image/png, image/jpeg, image/webp or image/svg+xml, up to 2 MB); it replaces the previous logo and becomes the branding's logoUrl.",
  access: tenantManagers,
  output: uploadOutput,
  input: z.object({
    contentType: z.string().max(200),
    data: z.instanceof(Uint8Array).refine((data) => data.length <= maxLogoBytes, {
      message: "keep the logo under 2 MB",
    }),
  }),
  async run(context, input) {
    const upload = await replaceLogo(scopeOf(context), {
      contentType: input.contentType,
      bytes: input.data,
    });
    // Cached tenants carry the branding the widget's config answers with.
    context.services.identities.invalidate({ kind: "tenant", id: tenantOf(context).id });
    return upload;
  },
});

/** Removes the tenant's logo. */
export const removeLogoCommand = defineCommand({
  name: "tenant.logo.remove",
  summary: "Remove the tenant's uploaded logo; the widget shows none until another is set.",
  access: tenantManagers,
  output: z.object({ removed: z.boolean() }),
  input: z.object({}),
  async run(context) {
    const result = await removeLogo(scopeOf(context));
    context.services.identities.invalidate({ kind: "tenant", id: tenantOf(context).id });
    return result;
  },
});

/** A public file's bytes, by id (logos shown by the widget). */
export const getFileCommand = defineCommand({
  name: "files.get",
  summary: "Read a public file (a tenant's logo) by its id.",
  access: { kind: "public" },
  input: z.object({ id: idSchema }),
  async run({ em }, input) {
    const file = await readPublicFile(em, input.id);
    if (!file) throw errors.notFound("file", input.id);
    return file;
  },
});
