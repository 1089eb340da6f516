import {
  fontFamilyPattern,
  hexColorPattern,
  maxCornerRadius,
  type Branding,
} from "../domain/branding.js";

/** What the stylesheet says for a field the tenant has not set. */
const defaults = {
  primary: "#2563eb",
  secondary: "#10b981",
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  radius: 8,
};

/**
 * The tenant's branding as CSS custom properties on `:root` and `:host` (`--vbwd-primary`,
 * `--vbwd-secondary`, `--vbwd-font`, `--vbwd-radius`, `--vbwd-logo-url`). Every value is
 * checked again here, whatever the database holds: colours must be `#rrggbb`, fonts the
 * stored pattern with balanced quotes, the radius a whole number in range, and the logo's
 * address is written as an escaped CSS string, so no value can end a declaration or rule.
 */
export function renderBrandingCss(branding: Branding): string {
  const properties = [
    ["--vbwd-primary", color(branding.primaryColor, defaults.primary)],
    ["--vbwd-secondary", color(branding.secondaryColor, defaults.secondary)],
    ["--vbwd-font", font(branding.fontFamily)],
    ["--vbwd-radius", `${radius(branding.cornerRadius)}px`],
    ["--vbwd-logo-url", logo(branding.logoUrl)],
  ];
  const body = properties.map(([name, value]) => `  ${name}: ${value};`).join("\n");
  return `:root,\n:host {\n${body}\n}\n`;
}

function color(value: string | null, fallback: string): string {
  return value && hexColorPattern.test(value) ? value.toLowerCase() : fallback;
}

function font(value: string | null): string {
  if (!value || !fontFamilyPattern.test(value)) return defaults.font;
  const balanced = (quote: string) => value.split(quote).length % 2 === 1;
  return balanced('"') && balanced("'") ? value : defaults.font;
}

function radius(value: number | null): number {
  return Number.isInteger(value) && value! >= 0 && value! <= maxCornerRadius
    ? value!
    : defaults.radius;
}

/** `url("…")` of an http(s) or `data:image/…` address, or `none`. */
function logo(value: string | null): string {
  if (!value || !/^(https?:|data:image\/)/i.test(value)) return "none";
  return `url("${escapeCssString(value)}")`;
}

/** Escapes everything outside a small safe set as a CSS hex escape (`\22 ` for `"`). */
export function escapeCssString(value: string): string {
  return value.replace(/[^A-Za-z0-9:/?#@!$&*+,;=%._~-]/g, (char) => {
    return `\\${char.codePointAt(0)!.toString(16)} `;
  });
}
