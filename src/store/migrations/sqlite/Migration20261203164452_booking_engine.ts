import { Migration } from "@mikro-orm/migrations";

export class Migration20261203164452_booking_engine extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`slot_claims\` (\`calendar_id\` text not null, \`cell_start_ms\` bigint not null, \`seat\` integer not null, \`tenant_id\` text not null, \`owner_kind\` text not null, \`owner_id\` text not null, constraint \`slot_claims_tenant_id_foreign\` foreign key(\`tenant_id\`) references \`tenants\`(\`id\`) on update cascade, primary key (\`calendar_id\`, \`cell_start_ms\`, \`seat\`));`,
    );
    this.addSql(`create index \`slot_claims_tenant_id_index\` on \`slot_claims\` (\`tenant_id\`);`);
    this.addSql(`create index \`slot_claims_owner_id_index\` on \`slot_claims\` (\`owner_id\`);`);

    this.addSql(
      `create table \`idempotency_keys\` (\`id\` text not null, \`tenant_id\` text not null, \`idempotency_key\` text not null, \`request_hash\` text not null, \`status\` integer not null, \`response\` text not null, \`created_at_ms\` bigint not null, constraint \`idempotency_keys_tenant_id_foreign\` foreign key(\`tenant_id\`) references \`tenants\`(\`id\`) on update cascade, primary key (\`id\`));`,
    );
    this.addSql(
      `create index \`idempotency_keys_tenant_id_index\` on \`idempotency_keys\` (\`tenant_id\`);`,
    );
    this.addSql(
      `create index \`idempotency_keys_created_at_ms_index\` on \`idempotency_keys\` (\`created_at_ms\`);`,
    );
    this.addSql(
      `create unique index \`idempotency_keys_tenant_id_idempotency_key_unique\` on \`idempotency_keys\` (\`tenant_id\`, \`idempotency_key\`);`,
    );

    this.addSql(
      `create table \`holds\` (\`id\` text not null, \`tenant_id\` text not null, \`calendar_id\` text not null, \`service_id\` text not null, \`start_ms\` bigint not null, \`end_ms\` bigint not null, \`expires_at_ms\` bigint not null, \`status\` text not null, \`created_at_ms\` bigint not null, constraint \`holds_tenant_id_foreign\` foreign key(\`tenant_id\`) references \`tenants\`(\`id\`) on update cascade, primary key (\`id\`));`,
    );
    this.addSql(`create index \`holds_tenant_id_index\` on \`holds\` (\`tenant_id\`);`);
    this.addSql(
      `create index \`holds_calendar_id_status_index\` on \`holds\` (\`calendar_id\`, \`status\`);`,
    );

    this.addSql(
      `create table \`booking_events\` (\`id\` text not null, \`tenant_id\` text not null, \`booking_id\` text not null, \`from_status\` text null, \`to_status\` text not null, \`detail\` json null, \`at_ms\` bigint not null, constraint \`booking_events_tenant_id_foreign\` foreign key(\`tenant_id\`) references \`tenants\`(\`id\`) on update cascade, primary key (\`id\`));`,
    );
    this.addSql(
      `create index \`booking_events_tenant_id_index\` on \`booking_events\` (\`tenant_id\`);`,
    );
    this.addSql(
      `create index \`booking_events_booking_id_index\` on \`booking_events\` (\`booking_id\`);`,
    );

    this.addSql(
      `create table \`bookings\` (\`id\` text not null, \`tenant_id\` text not null, \`calendar_id\` text not null, \`service_id\` text not null, \`start_ms\` bigint not null, \`end_ms\` bigint not null, \`status\` text not null, \`customer_name\` text not null, \`customer_email\` text not null, \`customer_phone\` text null, \`price_cents\` integer not null default 0, \`currency\` text not null default 'EUR', \`hold_id\` text null, \`created_at_ms\` bigint not null, \`updated_at_ms\` bigint not null, constraint \`bookings_tenant_id_foreign\` foreign key(\`tenant_id\`) references \`tenants\`(\`id\`) on update cascade, primary key (\`id\`));`,
    );
    this.addSql(`create index \`bookings_tenant_id_index\` on \`bookings\` (\`tenant_id\`);`);
    this.addSql(
      `create index \`bookings_tenant_id_calendar_id_start_ms_index\` on \`bookings\` (\`tenant_id\`, \`calendar_id\`, \`start_ms\`);`,
    );
    this.addSql(
      `create index \`bookings_tenant_id_created_at_ms_index\` on \`bookings\` (\`tenant_id\`, \`created_at_ms\`);`,
    );

    this.addSql(
      `alter table \`tenants\` add column \`hold_ttl_seconds\` integer not null default 600;`,
    );
  }
}
