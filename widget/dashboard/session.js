// The staff session of this browser tab: kept in sessionStorage, so it ends with the tab.

const storageKey = "vbwd.dashboard.session";

/** The stored session, or undefined when there is none or its token has expired. */
export function loadSession() {
  let session;
  try {
    session = JSON.parse(sessionStorage.getItem(storageKey) ?? "null");
  } catch {
    session = null;
  }
  if (!session || typeof session.token !== "string") return undefined;
  if (session.expiresAt && Date.parse(session.expiresAt) <= Date.now()) {
    clearSession();
    return undefined;
  }
  return session;
}

/** Keeps the answer of a login: `{ token, expiresAt, user }` and the tenant it was for. */
export function saveSession(tenantCode, login) {
  const session = {
    token: login.token,
    expiresAt: login.expiresAt,
    tenantCode,
    email: login.user?.email ?? "",
    role: login.user?.role ?? "",
  };
  sessionStorage.setItem(storageKey, JSON.stringify(session));
  return session;
}

/** Forgets the session (log out, or a token the engine refused). */
export function clearSession() {
  sessionStorage.removeItem(storageKey);
}
