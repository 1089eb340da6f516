/** The part of a page address that opens a booking's manage view: `#vbwd-manage=…`. */
const marker = "vbwd-manage=";

/** What a manage link names: the tenant, the booking and the token that opens it. */
export interface ManageLink {
  tenant: string;
  bookingId: string;
  token: string;
}

/** The host page's address with the booking's manage link as its fragment. */
export function manageLinkFor(pageUrl: string, link: ManageLink): string {
  const base = pageUrl.split("#")[0];
  return `${base}#${marker}${link.tenant}.${link.bookingId}.${link.token}`;
}

/** The manage link in a page fragment, when there is one for this tenant. */
export function readManageLink(hash: string, tenant: string): ManageLink | undefined {
  const at = hash.indexOf(marker);
  if (at < 0) return undefined;
  const [code, bookingId, ...token] = hash.slice(at + marker.length).split(".");
  if (code !== tenant || !bookingId || token.length !== 3) return undefined;
  return { tenant, bookingId, token: token.join(".") };
}
