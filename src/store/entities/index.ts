import { ApiKeySchema } from "./api-key.js";
import { AuditLogSchema } from "./audit-log.js";
import { CalendarSchema } from "./calendar.js";
import { PlatformSettingSchema } from "./platform-setting.js";
import { SaasPlanSchema } from "./saas-plan.js";
import { ServiceCalendarSchema, ServiceSchema } from "./service.js";
import { TenantSchema } from "./tenant.js";
import { UserSchema } from "./user.js";

export { ApiKey } from "./api-key.js";
export { AuditLog, type AuditActorKind } from "./audit-log.js";
export { Calendar } from "./calendar.js";
export { PlatformSetting } from "./platform-setting.js";
export { SaasPlan } from "./saas-plan.js";
export { Service, ServiceCalendar } from "./service.js";
export { Tenant } from "./tenant.js";
export { User } from "./user.js";

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
];
