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
import { BookingPaymentSchema } from "./booking-payment.js";
import { CalendarSchema } from "./calendar.js";
import { CalendarFeedSchema } from "./calendar-feed.js";
import { ClusterProbeSchema } from "./cluster-probe.js";
import { HoldSchema } from "./hold.js";
import {
  OutboxEventSchema,
  WebhookAttemptSchema,
  WebhookDeliverySchema,
  WebhookEndpointSchema,
} from "./outbox.js";
import { PlatformSettingSchema } from "./platform-setting.js";
import { SaasPlanSchema } from "./saas-plan.js";
import { ServiceCalendarSchema, ServiceSchema } from "./service.js";
import { ShardOwnerSchema } from "./shard-owner.js";
import { SmsMessageSchema } from "./sms-message.js";
import { StripeEventSchema } from "./stripe-event.js";
import { TenantSchema } from "./tenant.js";
import { TenantProtocolUsageSchema } from "./tenant-protocol-usage.js";
import { UserSchema } from "./user.js";
import { UploadSchema } from "./upload.js";
import { InboundEventSchema } from "./inbound-event.js";
import { WebhookSourceSchema } from "./webhook-source.js";
import { EmailMessageSchema } from "./email-message.js";

export { ActorTimer } from "./actor-timer.js";
export { AgentArtifact, AgentTask, type AgentTaskProtocol } from "./agent-task.js";
export { ApiKey } from "./api-key.js";
export { AuditLog, type AuditActorKind } from "./audit-log.js";
export { Booking, BookingEvent, IdempotencyRecord, SlotClaim } from "./booking.js";
export { BookingPayment } from "./booking-payment.js";
export { Calendar } from "./calendar.js";
export { CalendarFeed } from "./calendar-feed.js";
export { ClusterProbe } from "./cluster-probe.js";
export { Hold } from "./hold.js";
export {
  OutboxEvent,
  WebhookAttempt,
  WebhookDelivery,
  WebhookEndpoint,
  deliveryStatuses,
  type DeliveryStatus,
} from "./outbox.js";
export { PlatformSetting } from "./platform-setting.js";
export { SaasPlan } from "./saas-plan.js";
export { Service, ServiceCalendar } from "./service.js";
export { ShardOwner } from "./shard-owner.js";
export { SmsMessage, smsStatuses, type SmsStatus } from "./sms-message.js";
export { StripeEvent } from "./stripe-event.js";
export { Tenant } from "./tenant.js";
export { TenantProtocolUsage } from "./tenant-protocol-usage.js";
export { User } from "./user.js";
export { Upload } from "./upload.js";
export { InboundEvent } from "./inbound-event.js";
export { WebhookSource } from "./webhook-source.js";
export { EmailMessage, type EmailStatus } from "./email-message.js";

/** Every entity the ORM maps, in no particular order. */
export const entitySchemas = [
  SaasPlanSchema,
  TenantSchema,
  ApiKeySchema,
  UserSchema,
  AuditLogSchema,
  PlatformSettingSchema,
  CalendarSchema,
  CalendarFeedSchema,
  OutboxEventSchema,
  WebhookEndpointSchema,
  WebhookDeliverySchema,
  WebhookAttemptSchema,
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
  StripeEventSchema,
  TenantProtocolUsageSchema,
  EmailMessageSchema,
  BookingPaymentSchema,
  UploadSchema,
  SmsMessageSchema,
];
