/** The languages the widget, dashboard and messages speak. */
export const brandLocales = ["en", "de", "fr"] as const;
export type BrandLocale = (typeof brandLocales)[number];

/** A tenant's look, as the widget, the dashboard and messages apply it; null: the default. */
export interface Branding {
  primaryColor: string | null;
  secondaryColor: string | null;
  logoUrl: string | null;
  /** A CSS font stack such as `Inter, "Helvetica Neue", sans-serif`. */
  fontFamily: string | null;
  /** Corner radius of panels, buttons and fields, in CSS pixels. */
  cornerRadius: number | null;
  locale: string;
}

/** `#rrggbb`, the only colour form stored. */
export const hexColorPattern = /^#[0-9a-f]{6}$/i;

/** Font stacks: names, spaces, commas, quotes and hyphens; nothing CSS could break out of. */
export const fontFamilyPattern = /^[A-Za-z0-9 ,'"-]{1,100}$/;

/** The largest corner radius accepted, in pixels. */
export const maxCornerRadius = 32;
