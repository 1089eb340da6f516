import { z } from "zod";
import {
  brandLocales,
  fontFamilyPattern,
  hexColorPattern,
  maxCornerRadius,
} from "../domain/branding.js";
import { Tenant } from "../store/entities/index.js";
import { recordAudit } from "../tenants/audit.js";
import { viewBranding } from "../tenants/tenant-view.js";
import { defineCommand, tenantOf, tenantManagers } from "./command.js";
import { brandingOutput } from "./output-schemas.js";

const color = z
  .string()
  .regex(hexColorPattern, "expected a colour as #rrggbb")
  .transform((value) => value.toLowerCase());

/** An http(s) address, or a small inline image (`data:image/png;base64,…`). */
function isImageAddress(value: string): boolean {
  if (/^data:image\/(png|jpeg|gif|webp|svg\+xml)[;,]/.test(value)) return true;
  try {
    return ["http:", "https:"].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** Each field left out keeps its value; null resets it to the default. */
const brandingChange = z
  .object({
    primaryColor: color.nullable().optional(),
    secondaryColor: color.nullable().optional(),
    logoUrl: z
      .string()
      .max(500, "keep the logo's address under 500 characters")
      .refine(isImageAddress, "expected an http(s) URL or a data:image/… URL")
      .nullable()
      .optional(),
    fontFamily: z
      .string()
      .trim()
      .regex(fontFamilyPattern, "use letters, digits, spaces, commas, quotes and hyphens")
      .nullable()
      .optional(),
    cornerRadius: z.number().int().min(0).max(maxCornerRadius).nullable().optional(),
    locale: z.enum(brandLocales).optional(),
  })
  .strict()
  .refine((input) => Object.values(input).some((value) => value !== undefined), {
    message: "give at least one branding field",
  });

export const getBranding = defineCommand({
  name: "tenant.branding.get",
  summary: "Read the tenant's branding: colours, logo, font, corner radius and language.",
  access: { kind: "tenant", credentials: ["secret", "agent", "staff"] },
  output: brandingOutput,
  input: z.object({}),
  async run(context) {
    return viewBranding(tenantOf(context));
  },
});

export const updateBranding = defineCommand({
  name: "tenant.branding.update",
  summary:
    "Change the tenant's branding; the widget applies it at its next load. null resets a field.",
  access: tenantManagers,
  output: brandingOutput,
  input: brandingChange,
  async run(context, input) {
    const tenant = await context.em.findOneOrFail(Tenant, { id: tenantOf(context).id });
    const before = viewBranding(tenant);
    const { cornerRadius, ...fields } = input;
    context.em.assign(
      tenant,
      Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)),
    );
    if (cornerRadius !== undefined) tenant.cornerRadiusPx = cornerRadius;
    recordAudit(context.em, context.origin, {
      tenantId: tenant.id,
      action: "tenant.branding_updated",
      entityType: "tenant",
      entityId: tenant.id,
      summary: { before, after: input },
    });
    await context.em.flush();
    context.services.identities.invalidate({ kind: "tenant", id: tenant.id });
    return viewBranding(tenant);
  },
});
