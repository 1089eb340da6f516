/** Host names every engine answers to besides `BASE_DOMAIN`: its loopback interfaces. */
const loopbackHosts = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/**
 * Why a request must be refused against DNS rebinding, or undefined when it may pass: the
 * Host must be a loopback name, `BASE_DOMAIN` or one of its subdomains, and an Origin, when
 * sent, must be that same host (no cross-origin browser calls).
 */
export function rebindingRefusal(
  host: string,
  origin: string,
  baseDomain: string | undefined,
): string | undefined {
  const hostname = hostnameOf(host);
  if (!isOwnHost(hostname, baseDomain)) return `host ${hostname || "(none)"} is not served here`;
  if (origin === "") return undefined;
  let originHost: string;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    return `origin ${origin} is not a valid origin`;
  }
  return originHost === host.toLowerCase() ? undefined : `origin ${origin} may not call this host`;
}

function isOwnHost(hostname: string, baseDomain: string | undefined): boolean {
  if (loopbackHosts.has(hostname)) return true;
  if (!baseDomain) return false;
  const base = baseDomain.toLowerCase();
  return hostname === base || hostname.endsWith(`.${base}`);
}

/** The host name of a Host header, without its port. */
function hostnameOf(host: string): string {
  const lower = host.trim().toLowerCase();
  if (lower.startsWith("[")) return lower.slice(0, lower.indexOf("]") + 1);
  return lower.split(":")[0] ?? "";
}
