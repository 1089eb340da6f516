import { ActorTimerSchema } from "./actor-timer.js";
import { AgentArtifactSchema, AgentTaskSchema } from "./agent-task.js";
import { ApiKeySchema } from "./api-key.js";
import { AuditLogSchema } from "./audit-log.js";
import {
  BookingEventSchema,
  BookingSchema,
  IdempotencyRecordSchema,
  SlotClaimSchema,
} from "./booking.js";
import { CalendarSchema } from "./calendar.js";
import { ClusterProbeSchema } from "./cluster-probe.js";
import { HoldSchema } from "./hold.js";
import { PlatformSettingSchema } from "./platform-setting.js";
import { SaasPlanSchema } from "./saas-plan.js";
import { ServiceCalendarSchema, ServiceSchema } from "./service.js";
import { ShardOwnerSchema } from "./shard-owner.js";
import { TenantSchema } from "./tenant.js";
import { UserSchema } from "./user.js";
import { InboundEventSchema } from "./inbound-event.js";
import { WebhookSourceSchema } from "./webhook-source.js";

export { ActorTimer } from "./actor-timer.js";
export { AgentArtifact, AgentTask, type AgentTaskProtocol } from "./agent-task.js";
export { ApiKey } from "./api-key.js";
export { AuditLog, type AuditActorKind } from "./audit-log.js";
export { Booking, BookingEvent, IdempotencyRecord, SlotClaim } from "./booking.js";
export { Calendar } from "./calendar.js";
export { ClusterProbe } from "./cluster-probe.js";
export { Hold } from "./hold.js";
export { PlatformSetting } from "./platform-setting.js";
export { SaasPlan } from "./saas-plan.js";
export { Service, ServiceCalendar } from "./service.js";
export { ShardOwner } from "./shard-owner.js";
export { Tenant } from "./tenant.js";
export { User } from "./user.js";
export { InboundEvent } from "./inbound-event.js";
export { WebhookSource } from "./webhook-source.js";

/** Every entity the ORM maps, in no particular order. */
export const entitySchemas = [
  SaasPlanSchema,
  TenantSchema,
  ApiKeySchema,
  UserSchema,
  AuditLogSchema,
  PlatformSettingSchema,
  CalendarSchema,
  ServiceSchema,
  ServiceCalendarSchema,
  ShardOwnerSchema,
  ActorTimerSchema,
  ClusterProbeSchema,
  HoldSchema,
  BookingSchema,
  BookingEventSchema,
  SlotClaimSchema,
  IdempotencyRecordSchema,
  AgentTaskSchema,
  AgentArtifactSchema,
  WebhookSourceSchema,
  InboundEventSchema,
];
