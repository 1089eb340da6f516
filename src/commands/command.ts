import type { EntityManager } from "@mikro-orm/core";
import type { Redis } from "ioredis";
import type Stripe from "stripe";
import type { ActorSystem } from "../../actors/index.js";
import type { z } from "zod";
import type { Config } from "../config.js";
import type { ChangeFeed } from "../engine/change-feed.js";
import type { Mailer } from "../notify/mailer.js";
import type { IdentityCache } from "./identity-cache.js";
import { AppError } from "../domain/app-error.js";
import { publicBaseOf as configuredBaseOf } from "../notify/links.js";
import type { Principal, TenantCredentialKind } from "../domain/principal.js";
import type { StaffRole } from "../domain/tenancy.js";
import type { Database } from "../store/database.js";
import type { Tenant } from "../store/entities/index.js";
import type { AuditOrigin } from "../tenants/audit.js";
import type { PlatformSecrets } from "../tenants/platform-secrets.js";
import type { ProtocolUsageMeter } from "../tenants/protocol-usage.js";

/** What command handlers may use, built once at start. */
export interface EngineServices {
  config: Config;
  db: Database;
  secrets: PlatformSecrets;
  actors: ActorSystem;
  feed: ChangeFeed;
  /** Recently checked credentials and tenants; invalidate on every change to them. */
  identities: IdentityCache;
  /**
   * The engine's Redis client when `REDIS_URL` is set (fails fast while Redis is away; the
   * engine closes it). For shared counters such as rate limits, not for business state.
   */
  redis: Redis | undefined;
  /** The Stripe client when `STRIPE_SECRET_KEY` is set (see `requireStripe`). */
  stripe: Stripe | undefined;
  /** Counts API requests per tenant and protocol (analytics); absent in bare test setups. */
  protocolUsage?: ProtocolUsageMeter | undefined;
  /** Outgoing email: sent after commit in the background, every message recorded. */
  mailer: Mailer;
}

/** Who may run a command. */
export type Access =
  /** Anyone, no tenant needed (signup). */
  | { kind: "public" }
  /** The platform operator's token only. */
  | { kind: "platform" }
  /** A credential of the resolved tenant, of one of the listed kinds (and staff roles). */
  | {
      kind: "tenant";
      credentials: readonly TenantCredentialKind[];
      roles?: readonly StaffRole[];
      /** Also serves a tenant suspended for payment (so it can pay); cancelled ones never. */
      whileSuspended?: boolean;
    };

/** The tenant's owners and admins, or its secret key: who changes the tenant's setup. */
export const tenantManagers = {
  kind: "tenant",
  credentials: ["secret", "staff"],
  roles: ["owner", "admin"],
} as const;

/** Everything a handler gets besides its input. */
export interface CommandContext {
  services: EngineServices;
  /** A unit of work; confined to `tenant` when there is one. */
  em: EntityManager;
  /** The resolved tenant, present for every `tenant` command. */
  tenant: Tenant | undefined;
  principal: Principal;
  origin: AuditOrigin;
  /** The caller's `Idempotency-Key`, when the command takes one. */
  idempotencyKey: string | undefined;
  /** `scheme://host` the request reached, when the adapter knows it. */
  requestBase?: string | undefined;
}

/** One operation of the engine, defined once for every protocol. */
export interface Command<Input = unknown, Output = unknown> {
  /** Stable dotted name, such as `keys.create`. */
  name: string;
  /** One sentence for docs, OpenAPI and MCP tool descriptions. */
  summary: string;
  access: Access;
  input: z.ZodType<Input>;
  /** The shape of a successful answer, when it is described (OpenAPI, response checks). */
  output?: z.ZodType;
  /** Creates something: an `Idempotency-Key` makes a retry return the first answer. */
  idempotent?: boolean;
  run(context: CommandContext, input: Input): Promise<Output>;
}

/** A command of any input and output, as registries and adapters hold them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- inputs differ per command
export type AnyCommand = Command<any, unknown>;

/** Defines a command with its input type inferred from the schema. */
export function defineCommand<Schema extends z.ZodType, Output>(
  command: Omit<Command<z.output<Schema>, Output>, "input"> & { input: Schema },
): Command<z.output<Schema>, Output> {
  return command as Command<z.output<Schema>, Output>;
}

/** The tenant of a tenant command; a missing one is a wiring bug, not a caller's mistake. */
export function tenantOf(context: CommandContext): Tenant {
  if (!context.tenant) throw new AppError("internal_error", "tenant command ran without a tenant");
  return context.tenant;
}

/**
 * Where customers and staff reach the engine, for links in answers and messages: `PUBLIC_URL`,
 * else the base the request came in on, else the local listener.
 */
export function publicBaseOf(context: CommandContext): string {
  const { config } = context.services;
  if (config.publicUrl || !context.requestBase) return configuredBaseOf(config);
  return context.requestBase.replace(/\/+$/, "");
}
