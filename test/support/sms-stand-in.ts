import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One message the stand-in took: the form fields and the basic-auth user it came with. */
export interface TakenSms {
  path: string;
  account: string;
  password: string;
  to: string;
  from: string;
  body: string;
}

/**
 * A local stand-in for a Twilio-style SMS API: `POST /2010-04-01/Accounts/{sid}/Messages.json`
 * with a form body and basic auth, answering `{ sid, status }`. It keeps what it took, and
 * refuses wrong credentials with 401 as the real API does.
 */
export class SmsStandIn {
  readonly taken: TakenSms[] = [];
  readonly accountSid = "AC0123456789abcdef0123456789abcdef";
  readonly authToken = "stand-in-auth-token";
  url = "";
  private server: Server | undefined;

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const [account = "", password = ""] = Buffer.from(
          (request.headers.authorization ?? "").replace(/^Basic /, ""),
          "base64",
        )
          .toString()
          .split(":");
        const form = new URLSearchParams(Buffer.concat(chunks).toString());
        const path = request.url ?? "/";
        const expected = `/2010-04-01/Accounts/${this.accountSid}/Messages.json`;
        if (account !== this.accountSid || password !== this.authToken || path !== expected) {
          response.writeHead(401, { "content-type": "application/json" });
          response.end(JSON.stringify({ code: 20003, message: "Authenticate", status: 401 }));
          return;
        }
        const sms = {
          path,
          account,
          password,
          to: form.get("To") ?? "",
          from: form.get("From") ?? "",
          body: form.get("Body") ?? "",
        };
        this.taken.push(sms);
        response.writeHead(201, { "content-type": "application/json" });
        response.end(
          JSON.stringify({
            sid: `SM${this.taken.length.toString().padStart(32, "0")}`,
            status: "queued",
          }),
        );
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** The engine settings that point it here. */
  env(): Record<string, string> {
    return {
      SMS_API_URL: this.url,
      SMS_ACCOUNT_SID: this.accountSid,
      SMS_AUTH_TOKEN: this.authToken,
      SMS_FROM: "+15005550006",
    };
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}
