import { Migration } from "@mikro-orm/migrations";

export class Migration20261203160118_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`platform_settings\` (\`name\` varchar(64) not null, \`value\` text not null, \`created_at\` datetime(3) not null, primary key (\`name\`)) default character set utf8mb4 engine = InnoDB;`,
    );

    this.addSql(
      `create table \`saas_plans\` (\`id\` int unsigned not null auto_increment primary key, \`name\` varchar(100) not null, \`slug\` varchar(50) not null, \`monthly_price_cents\` int not null, \`yearly_price_cents\` int null, \`currency\` varchar(3) not null default 'USD', \`max_users\` int not null, \`max_bookings_per_month\` int not null, \`max_events\` int not null, \`max_tickets_per_event\` int not null, \`storage_limit_mb\` int not null, \`rate_limit_per_minute\` int not null, \`custom_domain\` tinyint(1) not null default false, \`white_label\` tinyint(1) not null default false, \`api_access\` tinyint(1) not null default false, \`priority_support\` tinyint(1) not null default false, \`analytics_dashboard\` tinyint(1) not null default false, \`custom_integrations\` tinyint(1) not null default false, \`is_active\` tinyint(1) not null default true, \`is_featured\` tinyint(1) not null default false, \`sort_order\` int not null default 0, \`created_at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`saas_plans\` add unique \`saas_plans_slug_unique\`(\`slug\`);`);

    this.addSql(
      `create table \`tenants\` (\`id\` varchar(40) not null, \`tenant_code\` varchar(50) not null, \`name\` varchar(200) not null, \`business_type\` varchar(20) not null, \`description\` text null, \`logo_url\` varchar(500) null, \`primary_color\` varchar(7) null, \`secondary_color\` varchar(7) null, \`custom_domain\` varchar(255) null, \`timezone\` varchar(64) not null default 'UTC', \`currency\` varchar(3) not null default 'EUR', \`locale\` varchar(10) not null default 'en', \`plan_id\` int unsigned not null, \`subscription_status\` varchar(20) not null default 'trial', \`trial_ends_at\` datetime(3) null, \`max_users\` int not null default 5, \`max_bookings_per_month\` int not null default 100, \`max_events\` int not null default 10, \`storage_limit_mb\` int not null default 1024, \`billing_email\` varchar(255) null, \`billing_address\` json null, \`payment_method_id\` varchar(255) null, \`is_active\` tinyint(1) not null default true, \`created_at\` datetime(3) not null, \`updated_at\` datetime(3) not null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(
      `alter table \`tenants\` add unique \`tenants_tenant_code_unique\`(\`tenant_code\`);`,
    );
    this.addSql(
      `alter table \`tenants\` add unique \`tenants_custom_domain_unique\`(\`custom_domain\`);`,
    );
    this.addSql(`alter table \`tenants\` add index \`tenants_plan_id_index\`(\`plan_id\`);`);
    this.addSql(
      `alter table \`tenants\` add index \`tenants_subscription_status_index\`(\`subscription_status\`);`,
    );

    this.addSql(
      `create table \`services\` (\`id\` varchar(40) not null, \`tenant_id\` varchar(40) not null, \`name\` varchar(200) not null, \`description\` text null, \`duration_minutes\` int not null, \`price_cents\` int not null default 0, \`currency\` varchar(3) not null default 'EUR', \`is_active\` tinyint(1) not null default true, \`created_at\` datetime(3) not null, \`updated_at\` datetime(3) not null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`services\` add index \`services_tenant_id_index\`(\`tenant_id\`);`);

    this.addSql(
      `create table \`calendars\` (\`id\` varchar(40) not null, \`tenant_id\` varchar(40) not null, \`name\` varchar(200) not null, \`timezone\` varchar(64) not null, \`capacity\` int not null default 1, \`weekly_hours\` json not null, \`date_overrides\` json not null, \`slot_interval_minutes\` int not null default 15, \`buffer_before_minutes\` int not null default 0, \`buffer_after_minutes\` int not null default 0, \`min_notice_minutes\` int not null default 0, \`horizon_days\` int not null default 60, \`max_bookings_per_day\` int null, \`version\` int not null default 0, \`is_active\` tinyint(1) not null default true, \`created_at\` datetime(3) not null, \`updated_at\` datetime(3) not null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(
      `alter table \`calendars\` add index \`calendars_tenant_id_index\`(\`tenant_id\`);`,
    );

    this.addSql(
      `create table \`service_calendars\` (\`service_id\` varchar(40) not null, \`calendar_id\` varchar(40) not null, \`tenant_id\` varchar(40) not null, primary key (\`service_id\`, \`calendar_id\`)) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(
      `alter table \`service_calendars\` add index \`service_calendars_service_id_index\`(\`service_id\`);`,
    );
    this.addSql(
      `alter table \`service_calendars\` add index \`service_calendars_calendar_id_index\`(\`calendar_id\`);`,
    );
    this.addSql(
      `alter table \`service_calendars\` add index \`service_calendars_tenant_id_index\`(\`tenant_id\`);`,
    );

    this.addSql(
      `create table \`audit_logs\` (\`id\` varchar(40) not null, \`tenant_id\` varchar(40) not null, \`actor_kind\` varchar(20) not null, \`actor_id\` varchar(60) null, \`action\` varchar(80) not null, \`entity_type\` varchar(40) not null, \`entity_id\` varchar(60) null, \`summary\` json null, \`protocol\` varchar(20) null, \`ip_address\` varchar(64) null, \`request_id\` varchar(64) null, \`created_at\` datetime(3) not null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(
      `alter table \`audit_logs\` add index \`audit_logs_tenant_id_index\`(\`tenant_id\`);`,
    );
    this.addSql(
      `alter table \`audit_logs\` add index \`audit_logs_tenant_id_created_at_index\`(\`tenant_id\`, \`created_at\`);`,
    );

    this.addSql(
      `create table \`api_keys\` (\`id\` varchar(40) not null, \`tenant_id\` varchar(40) not null, \`kind\` varchar(20) not null, \`mode\` varchar(10) not null, \`prefix\` varchar(24) not null, \`key_hash\` varchar(64) not null, \`name\` varchar(100) null, \`allowed_origins\` json not null, \`created_by\` varchar(60) null, \`created_at\` datetime(3) not null, \`last_used_at\` datetime(3) null, \`revoked_at\` datetime(3) null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`api_keys\` add index \`api_keys_tenant_id_index\`(\`tenant_id\`);`);
    this.addSql(`alter table \`api_keys\` add unique \`api_keys_key_hash_unique\`(\`key_hash\`);`);

    this.addSql(
      `create table \`users\` (\`id\` varchar(40) not null, \`tenant_id\` varchar(40) not null, \`email\` varchar(255) not null, \`name\` varchar(200) null, \`password_hash\` varchar(255) not null, \`role\` varchar(20) not null, \`is_active\` tinyint(1) not null default true, \`last_login_at\` datetime(3) null, \`created_at\` datetime(3) not null, \`updated_at\` datetime(3) not null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`users\` add index \`users_tenant_id_index\`(\`tenant_id\`);`);
    this.addSql(
      `alter table \`users\` add unique \`users_tenant_id_email_unique\`(\`tenant_id\`, \`email\`);`,
    );

    this.addSql(
      `alter table \`tenants\` add constraint \`tenants_plan_id_foreign\` foreign key (\`plan_id\`) references \`saas_plans\` (\`id\`) on update cascade;`,
    );

    this.addSql(
      `alter table \`services\` add constraint \`services_tenant_id_foreign\` foreign key (\`tenant_id\`) references \`tenants\` (\`id\`) on update cascade;`,
    );

    this.addSql(
      `alter table \`calendars\` add constraint \`calendars_tenant_id_foreign\` foreign key (\`tenant_id\`) references \`tenants\` (\`id\`) on update cascade;`,
    );

    this.addSql(
      `alter table \`service_calendars\` add constraint \`service_calendars_service_id_foreign\` foreign key (\`service_id\`) references \`services\` (\`id\`) on update cascade;`,
    );
    this.addSql(
      `alter table \`service_calendars\` add constraint \`service_calendars_calendar_id_foreign\` foreign key (\`calendar_id\`) references \`calendars\` (\`id\`) on update cascade;`,
    );
    this.addSql(
      `alter table \`service_calendars\` add constraint \`service_calendars_tenant_id_foreign\` foreign key (\`tenant_id\`) references \`tenants\` (\`id\`) on update cascade;`,
    );

    this.addSql(
      `alter table \`audit_logs\` add constraint \`audit_logs_tenant_id_foreign\` foreign key (\`tenant_id\`) references \`tenants\` (\`id\`) on update cascade;`,
    );

    this.addSql(
      `alter table \`api_keys\` add constraint \`api_keys_tenant_id_foreign\` foreign key (\`tenant_id\`) references \`tenants\` (\`id\`) on update cascade;`,
    );

    this.addSql(
      `alter table \`users\` add constraint \`users_tenant_id_foreign\` foreign key (\`tenant_id\`) references \`tenants\` (\`id\`) on update cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table \`tenants\` drop foreign key \`tenants_plan_id_foreign\`;`);

    this.addSql(`alter table \`services\` drop foreign key \`services_tenant_id_foreign\`;`);

    this.addSql(`alter table \`calendars\` drop foreign key \`calendars_tenant_id_foreign\`;`);

    this.addSql(
      `alter table \`service_calendars\` drop foreign key \`service_calendars_tenant_id_foreign\`;`,
    );

    this.addSql(`alter table \`audit_logs\` drop foreign key \`audit_logs_tenant_id_foreign\`;`);

    this.addSql(`alter table \`api_keys\` drop foreign key \`api_keys_tenant_id_foreign\`;`);

    this.addSql(`alter table \`users\` drop foreign key \`users_tenant_id_foreign\`;`);

    this.addSql(
      `alter table \`service_calendars\` drop foreign key \`service_calendars_service_id_foreign\`;`,
    );

    this.addSql(
      `alter table \`service_calendars\` drop foreign key \`service_calendars_calendar_id_foreign\`;`,
    );

    this.addSql(`drop table if exists \`platform_settings\`;`);

    this.addSql(`drop table if exists \`saas_plans\`;`);

    this.addSql(`drop table if exists \`tenants\`;`);

    this.addSql(`drop table if exists \`services\`;`);

    this.addSql(`drop table if exists \`calendars\`;`);

    this.addSql(`drop table if exists \`service_calendars\`;`);

    this.addSql(`drop table if exists \`audit_logs\`;`);

    this.addSql(`drop table if exists \`api_keys\`;`);

    this.addSql(`drop table if exists \`users\`;`);
  }
}
