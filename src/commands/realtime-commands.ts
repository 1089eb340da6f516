import { z } from "zod";
import { askCalendar, calendarId } from "./booking-commands.js";
import { defineCommand, tenantOf } from "./command.js";
import type { HoldView } from "../engine/booking-view.js";

/** Sockets are opened by the widget (publishable key) and the staff dashboard (staff token). */
const socketCallers = { kind: "tenant", credentials: ["publishable", "staff"] } as const;

const holdRef = z.object({
  calendarId,
  holdId: z.string().regex(/^hld_[a-z0-9]{1,40}$/, "expected a hold id (hld_…)"),
});

type HoldAnswer = HoldView | { id: string; status: "gone" };

export const realtimeConnect = defineCommand({
  name: "realtime.connect",
  summary: "Open a live connection: availability for a publishable key, the staff feed for staff.",
  access: socketCallers,
  input: z.object({}),
  async run(context) {
    const tenant = tenantOf(context);
    return {
      tenantId: tenant.id,
      tenantCode: tenant.tenantCode,
      staff: context.principal.kind === "staff",
    };
  },
});

export const detachHold = defineCommand({
  name: "holds.detach",
  summary: "The socket that placed a hold is gone: the hold ends after the grace period.",
  access: socketCallers,
  input: holdRef,
  async run(context, input) {
    return askCalendar<HoldAnswer>(context, input.calendarId, {
      op: "detach",
      holdId: input.holdId,
      graceMs: context.services.config.realtime.holdGraceMs,
    });
  },
});

export const attachHold = defineCommand({
  name: "holds.attach",
  summary: "The socket that placed a hold is back: the hold ends at its usual time again.",
  access: socketCallers,
  input: holdRef,
  async run(context, input) {
    return askCalendar<HoldAnswer>(context, input.calendarId, {
      op: "attach",
      holdId: input.holdId,
    });
  },
});
