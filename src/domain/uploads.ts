/** What an upload is for; each kind has its own rules (a tenant has at most one logo). */
export const uploadKinds = ["logo"] as const;
export type UploadKind = (typeof uploadKinds)[number];

/** Image types a logo may have. */
export const logoContentTypes = ["image/png", "image/jpeg", "image/webp", "image/svg+xml"] as const;
export type LogoContentType = (typeof logoContentTypes)[number];

/** The largest logo accepted, in bytes (2 MB). */
export const maxLogoBytes = 2 * 1024 * 1024;

/** True when `value` is one of the image types a logo may have. */
export function isLogoContentType(value: string): value is LogoContentType {
  return (logoContentTypes as readonly string[]).includes(value);
}

/**
 * True when the bytes really are what `contentType` claims: the magic numbers of PNG, JPEG
 * and WebP, and for SVG a UTF-8 text whose first element is `<svg`.
 */
export function bytesMatchType(bytes: Uint8Array, contentType: LogoContentType): boolean {
  switch (contentType) {
    case "image/png":
      return startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    case "image/jpeg":
      return startsWith(bytes, [0xff, 0xd8, 0xff]);
    case "image/webp":
      return startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && ascii(bytes, 8, 12) === "WEBP";
    case "image/svg+xml":
      return looksLikeSvg(bytes);
  }
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((byte, i) => bytes[i] === byte);
}

function ascii(bytes: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...bytes.subarray(from, to));
}

function looksLikeSvg(bytes: Uint8Array): boolean {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, 4096));
  } catch {
    return false;
  }
  // Skip a byte order mark, an XML declaration, comments and a doctype before the root element.
  const head = text
    .replace(/^\uFEFF/, "")
    .replace(/^\s*<\?xml[^>]*\?>/, "")
    .replace(/^(\s*<!--[\s\S]*?-->|\s*<!DOCTYPE[^>]*>)*/i, "");
  return /^\s*<svg[\s>]/.test(head);
}
