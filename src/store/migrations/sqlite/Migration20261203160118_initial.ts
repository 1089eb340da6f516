import { Migration } from "@mikro-orm/migrations";

export class Migration20261203160118_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`platform_settings\` (\`name\` text not null, \`value\` text not null, \`created_at\` datetime not null, primary key (\`name\`));`,
    );

    this.addSql(
      `create table \`saas_plans\` (\`id\` integer not null primary key autoincrement, \`name\` text not null, \`slug\` text not null, \`monthly_price_cents\` integer not null, \`yearly_price_cents\` integer null, \`currency\` text not null default 'USD', \`max_users\` integer not null, \`max_bookings_per_month\` integer not null, \`max_events\` integer not null, \`max_tickets_per_event\` integer not null, \`storage_limit_mb\` integer not null, \`rate_limit_per_minute\` integer not null, \`custom_domain\` integer not null default false, \`white_label\` integer not null default false, \`api_access\` integer not null default false, \`priority_support\` integer not null default false, \`analytics_dashboard\` integer not null default false, \`custom_integrations\` integer not null default false, \`is_active\` integer not null default true, \`is_featured\` integer not null default false, \`sort_order\` integer not null default 0, \`created_at\` datetime not null);`,
    );
    this.addSql(`create unique index \`saas_plans_slug_unique\` on \`saas_plans\` (\`slug\`);`);

    this.addSql(
      `create table \`tenants\` (\`id\` text not null, \`tenant_code\` text not null, \`name\` text not null, \`business_type\` text not null, \`description\` text null, \`logo_url\` text null, \`primary_color\` text null, \`secondary_color\` text null, \`custom_domain\` text null, \`timezone\` text not null default 'UTC', \`currency\` text not null default 'EUR', \`locale\` text not null default 'en', \`plan_id\` integer not null, \`subscription_status\` text not null default 'trial', \`trial_ends_at\` datetime null, \`max_users\` integer not null default 5, \`max_bookings_per_month\` integer not null default 100, \`max_events\` integer not null default 10, \`storage_limit_mb\` integer not null default 1024, \`billing_email\` text null, \`billing_address\` json null, \`payment_method_id\` text null, \`is_active\` integer not null default true, \`created_at\` datetime not null, \`updated_at\` datetime not null, constraint \`tenants_plan_id_foreign\` foreign key(\`plan_id\`) references \`saas_plans\`(\`id\`) on update cascade, primary key (\`id\`));`,
    );
    this.addSql(
      `create unique index \`tenants_tenant_code_unique\` on \`tenants\` (\`tenant_code\`);`,
    );
    this.addSql(
      `create unique index \`tenants_custom_domain_unique\` on \`tenants\` (\`custom_domain\`);`,
    );
    this.addSql(`create index \`tenants_plan_id_index\` on \`tenants\` (\`plan_id\`);`);
    this.addSql(
      `create index \`tenants_subscription_status_index\` on \`tenants\` (\`subscription_status\`);`,
    );

    this.addSql(
      `create table \`services\` (\`id\` text not null, \`tenant_id\` text not null, \`name\` text not null, \`description\` text null, \`duration_minutes\` integer not null, \`price_cents\` integer not null default 0, \`currency\` text not null default 'EUR', \`is_active\` integer not null default true, \`created_at\` datetime not null, \`updated_at\` datetime not null, constraint \`services_tenant_id_foreign\` foreign key(\`tenant_id\`) references \`tenants\`(\`id\`) on update cascade, primary key (\`id\`));`,
    );
    this.addSql(`create index \`services_tenant_id_index\` on \`services\` (\`tenant_id\`);`);

    this.addSql(
      `create table \`calendars\` (\`id\` text not null, \`tenant_id\` text not null, \`name\` text not null, \`timezone\` text not null, \`capacity\` integer not null default 1, \`weekly_hours\` json not null, \`date_overrides\` json not null, \`slot_interval_minutes\` integer not null default 15, \`buffer_before_minutes\` integer not null default 0, \`buffer_after_minutes\` integer not null default 0, \`min_notice_minutes\` integer not null default 0, \`horizon_days\` integer not null default 60, \`max_bookings_per_day\` integer null, \`version\` integer not null default 0, \`is_active\` integer not null default true, \`created_at\` datetime not null, \`updated_at\` datetime not null, constraint \`calendars_tenant_id_foreign\` foreign key(\`tenant_id\`) references \`tenants\`(\`id\`) on update cascade, primary key (\`id\`));`,
    );
    this.addSql(`create index \`calendars_tenant_id_index\` on \`calendars\` (\`tenant_id\`);`);

    this.addSql(
      `create table \`service_calendars\` (\`service_id\` text not null, \`calendar_id\` text not null, \`tenant_id\` text not null, constraint \`service_calendars_service_id_foreign\` foreign key(\`service_id\`) references \`services\`(\`id\`) on update cascade, constraint \`service_calendars_calendar_id_foreign\` foreign key(\`calendar_id\`) references \`calendars\`(\`id\`) on update cascade, constraint \`service_calendars_tenant_id_foreign\` foreign key(\`tenant_id\`) references \`tenants\`(\`id\`) on update cascade, primary key (\`service_id\`, \`calendar_id\`));`,
    );
    this.addSql(
      `create index \`service_calendars_service_id_index\` on \`service_calendars\` (\`service_id\`);`,
    );
    this.addSql(
      `create index \`service_calendars_calendar_id_index\` on \`service_calendars\` (\`calendar_id\`);`,
    );
    this.addSql(
      `create index \`service_calendars_tenant_id_index\` on \`service_calendars\` (\`tenant_id\`);`,
    );

    this.addSql(
      `create table \`audit_logs\` (\`id\` text not null, \`tenant_id\` text not null, \`actor_kind\` text not null, \`actor_id\` text null, \`action\` text not null, \`entity_type\` text not null, \`entity_id\` text null, \`summary\` json null, \`protocol\` text null, \`ip_address\` text null, \`request_id\` text null, \`created_at\` datetime not null, constraint \`audit_logs_tenant_id_foreign\` foreign key(\`tenant_id\`) references \`tenants\`(\`id\`) on update cascade, primary key (\`id\`));`,
    );
    this.addSql(`create index \`audit_logs_tenant_id_index\` on \`audit_logs\` (\`tenant_id\`);`);
    this.addSql(
      `create index \`audit_logs_tenant_id_created_at_index\` on \`audit_logs\` (\`tenant_id\`, \`created_at\`);`,
    );

    this.addSql(
      `create table \`api_keys\` (\`id\` text not null, \`tenant_id\` text not null, \`kind\` text not null, \`mode\` text not null, \`prefix\` text not null, \`key_hash\` text not null, \`name\` text null, \`allowed_origins\` json not null, \`created_by\` text null, \`created_at\` datetime not null, \`last_used_at\` datetime null, \`revoked_at\` datetime null, constraint \`api_keys_tenant_id_foreign\` foreign key(\`tenant_id\`) references \`tenants\`(\`id\`) on update cascade, primary key (\`id\`));`,
    );
    this.addSql(`create index \`api_keys_tenant_id_index\` on \`api_keys\` (\`tenant_id\`);`);
    this.addSql(`create unique index \`api_keys_key_hash_unique\` on \`api_keys\` (\`key_hash\`);`);

    this.addSql(
      `create table \`users\` (\`id\` text not null, \`tenant_id\` text not null, \`email\` text not null, \`name\` text null, \`password_hash\` text not null, \`role\` text not null, \`is_active\` integer not null default true, \`last_login_at\` datetime null, \`created_at\` datetime not null, \`updated_at\` datetime not null, constraint \`users_tenant_id_foreign\` foreign key(\`tenant_id\`) references \`tenants\`(\`id\`) on update cascade, primary key (\`id\`));`,
    );
    this.addSql(`create index \`users_tenant_id_index\` on \`users\` (\`tenant_id\`);`);
    this.addSql(
      `create unique index \`users_tenant_id_email_unique\` on \`users\` (\`tenant_id\`, \`email\`);`,
    );
  }
}
