import { z } from "zod";
import { AppError, errors } from "../domain/app-error.js";
import { findCalendar, findService, viewCalendar, viewService } from "../engine/catalog.js";
import { brandOf, verifyEmailMessage } from "../notify/email-templates.js";
import { verificationLink } from "../notify/links.js";
import { EmailMessage, Tenant, User } from "../store/entities/index.js";
import { recordAudit } from "../tenants/audit.js";
import { createDemoCatalog, demoCustomers } from "../tenants/demo-data.js";
import {
  issueVerificationToken,
  readVerificationToken,
  verificationTokenKey,
  verificationValidHours,
} from "../tenants/email-verification.js";
import { viewTenant } from "../tenants/tenant-view.js";
import { askCalendar, createBookingCommand } from "./booking-commands.js";
import {
  defineCommand,
  tenantOf,
  type CommandContext,
  type EngineServices,
  tenantManagers,
} from "./command.js";
import { bookingOutput, calendarOutput, serviceOutput } from "./output-schemas.js";
import { pageLimitSchema } from "./schemas.js";

/** A second verification email to the same address waits this long after the last one. */
const resendIntervalMs = 60_000;

/** A staff member as they see themselves. */
const staffUserOutput = z.object({
  id: z.string(),
  email: z.string(),
  role: z.string(),
  emailVerified: z.boolean(),
  emailVerifiedAt: z.iso.datetime({ offset: true }).nullable(),
});

function viewStaffUser(user: User): z.output<typeof staffUserOutput> {
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    emailVerified: user.emailVerifiedAt !== null,
    emailVerifiedAt: user.emailVerifiedAt?.toISOString() ?? null,
  };
}

/** Sends a user the link that confirms their address; the send happens in the background. */
export async function sendVerificationEmail(
  services: EngineServices,
  tenant: Tenant,
  user: User,
): Promise<void> {
  const key = verificationTokenKey(services.secrets.jwtKey);
  const token = await issueVerificationToken(key, {
    tenantId: tenant.id,
    userId: user.id,
    email: user.email,
  });
  const message = verifyEmailMessage(brandOf(tenant), {
    link: verificationLink(services.config, token),
    validHours: verificationValidHours,
  });
  services.mailer.send({ ...message, tenantId: tenant.id, to: user.email });
}

/** The staff user a staff token names; other credentials are refused. */
async function currentUser(context: CommandContext): Promise<User> {
  const principal = context.principal;
  if (principal.kind !== "staff") {
    throw errors.forbidden("only a staff member's own login can make this call");
  }
  const user = await context.em.findOne(User, { id: principal.userId, isActive: true });
  if (!user) throw errors.invalidCredentials();
  return user;
}

export const currentStaffUser = defineCommand({
  name: "auth.me",
  summary: "Read the logged-in staff member (with whether their email is verified) and tenant.",
  access: { kind: "tenant", credentials: ["staff"] },
  input: z.object({}),
  output: z.object({ user: staffUserOutput, tenant: z.object({ id: z.string() }).loose() }),
  async run(context) {
    const user = await currentUser(context);
    return { user: viewStaffUser(user), tenant: viewTenant(tenantOf(context)) };
  },
});

export const verifyEmail = defineCommand({
  name: "auth.verify_email",
  summary:
    "Confirm a staff member's email address with the token from the verification email (repeating it changes nothing).",
  access: { kind: "public" },
  input: z.object({ token: z.string().min(1, "send the token from the email").max(2000) }),
  output: z.object({ verified: z.literal(true), user: staffUserOutput }),
  async run({ services, origin }, input) {
    const key = verificationTokenKey(services.secrets.jwtKey);
    const claims = await readVerificationToken(key, input.token);
    const em = services.db.forkForTenant(claims.tenantId);
    const user = await em.findOne(User, { id: claims.userId, isActive: true });
    // A link for an address the user has since changed proves nothing about the new one.
    if (!user || user.email !== claims.email) {
      throw errors.invalidVerificationToken(verificationValidHours);
    }
    if (user.emailVerifiedAt === null) {
      user.emailVerifiedAt = new Date();
      recordAudit(em, origin, {
        tenantId: claims.tenantId,
        action: "user.email_verified",
        entityType: "user",
        entityId: user.id,
        summary: { email: user.email },
      });
      await em.flush();
    }
    return { verified: true as const, user: viewStaffUser(user) };
  },
});

export const resendVerification = defineCommand({
  name: "auth.resend_verification",
  summary:
    "Send the logged-in staff member a new verification email (at most one a minute); sent is false when already verified.",
  access: { kind: "tenant", credentials: ["staff"] },
  input: z.object({}),
  output: z.object({ sent: z.boolean(), user: staffUserOutput }),
  async run(context) {
    const user = await currentUser(context);
    if (user.emailVerifiedAt !== null) return { sent: false, user: viewStaffUser(user) };

    const since = new Date(Date.now() - resendIntervalMs);
    const recent = await context.em.count(EmailMessage, {
      to: user.email,
      template: "verify-email",
      createdAt: { $gt: since },
    });
    if (recent > 0) throw resendTooSoon();
    await sendVerificationEmail(context.services, tenantOf(context), user);
    return { sent: true, user: viewStaffUser(user) };
  },
});

function resendTooSoon(): AppError {
  const seconds = Math.ceil(resendIntervalMs / 1000);
  return new AppError(
    "rate_limited",
    `a verification email was sent less than ${seconds} seconds ago; check the inbox or retry in ${seconds} s`,
    { retryAfterSeconds: seconds },
  );
}

const emailMessageOutput = z.object({
  id: z.string(),
  to: z.string(),
  subject: z.string(),
  template: z.string(),
  status: z.enum(["sent", "failed", "recorded"]),
  error: z.string().nullable(),
  createdAt: z.iso.datetime({ offset: true }),
});

export const listEmails = defineCommand({
  name: "emails.list",
  summary:
    "List the email the tenant's account sent most recently, newest first, with each outcome.",
  access: tenantManagers,
  input: z.object({ limit: pageLimitSchema }),
  output: z.object({ data: z.array(emailMessageOutput) }),
  async run({ em }, input) {
    const messages = await em.find(
      EmailMessage,
      {},
      { orderBy: { createdAt: "desc", id: "desc" }, limit: input.limit },
    );
    return {
      data: messages.map((message) => ({
        id: message.id,
        to: message.to,
        subject: message.subject,
        template: message.template,
        status: message.status,
        error: message.error,
        createdAt: message.createdAt.toISOString(),
      })),
    };
  },
});

export const loadDemoData = defineCommand({
  name: "tenant.demo_data",
  summary:
    "Fill an empty account with a sample calendar, service and a few bookings; 409 when it already has calendars.",
  access: tenantManagers,
  input: z.object({}),
  output: z.object({
    calendar: calendarOutput,
    service: serviceOutput,
    bookings: z.array(bookingOutput),
  }),
  async run(context) {
    const tenant = tenantOf(context);
    const { calendarId, serviceId } = await createDemoCatalog(context.em, tenant);
    const bookings = await bookDemoSlots(context, calendarId, serviceId);
    const calendar = await findCalendar(context.em, calendarId);
    const offer = await findService(context.em, serviceId);
    recordAudit(context.em, context.origin, {
      tenantId: tenant.id,
      action: "tenant.demo_data_loaded",
      entityType: "calendar",
      entityId: calendarId,
      summary: { serviceId, bookings: bookings.length },
    });
    await context.em.flush();
    return {
      calendar: viewCalendar(calendar),
      service: viewService(offer.service, offer.calendarIds),
      bookings,
    };
  },
});

/** Books one sample customer on each of the next free days, a little after opening. */
async function bookDemoSlots(context: CommandContext, calendarId: string, serviceId: string) {
  const fromMs = Date.now() + 86_400_000;
  const free = await askCalendar<{ slots: { start: number }[] }>(context, calendarId, {
    op: "availability",
    serviceId,
    fromMs,
    toMs: fromMs + 14 * 86_400_000,
  });
  const byDay = new Map<string, number[]>();
  for (const slot of free.slots) {
    const day = new Date(slot.start).toISOString().slice(0, 10);
    byDay.set(day, [...(byDay.get(day) ?? []), slot.start]);
  }
  const starts = [...byDay.values()].map((day) => day[Math.min(2, day.length - 1)]!);

  // Each booking gets its own id: the request's Idempotency-Key must not name them all.
  const bookingContext = { ...context, idempotencyKey: undefined };
  const bookings = [];
  for (const [index, customer] of demoCustomers.entries()) {
    const start = starts[index];
    if (start === undefined) break;
    const booking = await createBookingCommand.run(bookingContext, {
      calendarId,
      serviceId,
      start,
      customer: { ...customer },
    });
    bookings.push(booking as z.output<typeof bookingOutput>);
  }
  return bookings;
}
