import type Router from "@koa/router";
import type { HttpState } from "./http-state.js";

/**
 * The page a verification email links to. Its script (`/dashboard/verify-email.js`, served
 * with the dashboard) posts the link's token to `POST /api/v1/auth/verify-email` and shows
 * the answer; the page itself holds no data, so it is the same for everyone.
 */
const page = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Confirm your email address · VBWD</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="/dashboard/dashboard.css" />
    <script type="module" src="/dashboard/verify-email.js"></script>
  </head>
  <body>
    <header class="topbar"><h1>Confirm your email address</h1></header>
    <main>
      <p data-testid="verify-status" data-state="working" aria-live="polite">Confirming…</p>
      <p><a href="/dashboard">Go to the staff dashboard</a></p>
    </main>
  </body>
</html>
`;

/** Mounts `GET /verify-email`. */
export function mountVerifyEmailPage(router: Router<HttpState>): void {
  router.get("/verify-email", (ctx) => {
    ctx.set("Cache-Control", "no-cache");
    ctx.type = "text/html; charset=utf-8";
    ctx.body = page;
  });
}
