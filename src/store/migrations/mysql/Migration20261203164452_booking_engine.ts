import { Migration } from "@mikro-orm/migrations";

export class Migration20261203164452_booking_engine extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`slot_claims\` (\`calendar_id\` varchar(40) not null, \`cell_start_ms\` bigint unsigned not null, \`seat\` int unsigned not null, \`tenant_id\` varchar(40) not null, \`owner_kind\` varchar(10) not null, \`owner_id\` varchar(40) not null, primary key (\`calendar_id\`, \`cell_start_ms\`, \`seat\`)) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(
      `alter table \`slot_claims\` add index \`slot_claims_tenant_id_index\`(\`tenant_id\`);`,
    );
    this.addSql(
      `alter table \`slot_claims\` add index \`slot_claims_owner_id_index\`(\`owner_id\`);`,
    );

    this.addSql(
      `create table \`idempotency_keys\` (\`id\` varchar(40) not null, \`tenant_id\` varchar(40) not null, \`idempotency_key\` varchar(255) not null, \`request_hash\` varchar(64) not null, \`status\` int not null, \`response\` text not null, \`created_at_ms\` bigint not null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(
      `alter table \`idempotency_keys\` add index \`idempotency_keys_tenant_id_index\`(\`tenant_id\`);`,
    );
    this.addSql(
      `alter table \`idempotency_keys\` add index \`idempotency_keys_created_at_ms_index\`(\`created_at_ms\`);`,
    );
    this.addSql(
      `alter table \`idempotency_keys\` add unique \`idempotency_keys_tenant_id_idempotency_key_unique\`(\`tenant_id\`, \`idempotency_key\`);`,
    );

    this.addSql(
      `create table \`holds\` (\`id\` varchar(40) not null, \`tenant_id\` varchar(40) not null, \`calendar_id\` varchar(40) not null, \`service_id\` varchar(40) not null, \`start_ms\` bigint not null, \`end_ms\` bigint not null, \`expires_at_ms\` bigint not null, \`status\` varchar(20) not null, \`created_at_ms\` bigint not null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`holds\` add index \`holds_tenant_id_index\`(\`tenant_id\`);`);
    this.addSql(
      `alter table \`holds\` add index \`holds_calendar_id_status_index\`(\`calendar_id\`, \`status\`);`,
    );

    this.addSql(
      `create table \`booking_events\` (\`id\` varchar(40) not null, \`tenant_id\` varchar(40) not null, \`booking_id\` varchar(40) not null, \`from_status\` varchar(20) null, \`to_status\` varchar(20) not null, \`detail\` json null, \`at_ms\` bigint not null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(
      `alter table \`booking_events\` add index \`booking_events_tenant_id_index\`(\`tenant_id\`);`,
    );
    this.addSql(
      `alter table \`booking_events\` add index \`booking_events_booking_id_index\`(\`booking_id\`);`,
    );

    this.addSql(
      `create table \`bookings\` (\`id\` varchar(40) not null, \`tenant_id\` varchar(40) not null, \`calendar_id\` varchar(40) not null, \`service_id\` varchar(40) not null, \`start_ms\` bigint not null, \`end_ms\` bigint not null, \`status\` varchar(20) not null, \`customer_name\` varchar(200) not null, \`customer_email\` varchar(255) not null, \`customer_phone\` varchar(40) null, \`price_cents\` int not null default 0, \`currency\` varchar(3) not null default 'EUR', \`hold_id\` varchar(40) null, \`created_at_ms\` bigint not null, \`updated_at_ms\` bigint not null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`bookings\` add index \`bookings_tenant_id_index\`(\`tenant_id\`);`);
    this.addSql(
      `alter table \`bookings\` add index \`bookings_tenant_id_calendar_id_start_ms_index\`(\`tenant_id\`, \`calendar_id\`, \`start_ms\`);`,
    );
    this.addSql(
      `alter table \`bookings\` add index \`bookings_tenant_id_created_at_ms_index\`(\`tenant_id\`, \`created_at_ms\`);`,
    );

    this.addSql(
      `alter table \`slot_claims\` add constraint \`slot_claims_tenant_id_foreign\` foreign key (\`tenant_id\`) references \`tenants\` (\`id\`) on update cascade;`,
    );

    this.addSql(
      `alter table \`idempotency_keys\` add constraint \`idempotency_keys_tenant_id_foreign\` foreign key (\`tenant_id\`) references \`tenants\` (\`id\`) on update cascade;`,
    );

    this.addSql(
      `alter table \`holds\` add constraint \`holds_tenant_id_foreign\` foreign key (\`tenant_id\`) references \`tenants\` (\`id\`) on update cascade;`,
    );

    this.addSql(
      `alter table \`booking_events\` add constraint \`booking_events_tenant_id_foreign\` foreign key (\`tenant_id\`) references \`tenants\` (\`id\`) on update cascade;`,
    );

    this.addSql(
      `alter table \`bookings\` add constraint \`bookings_tenant_id_foreign\` foreign key (\`tenant_id\`) references \`tenants\` (\`id\`) on update cascade;`,
    );

    this.addSql(`alter table \`tenants\` add \`hold_ttl_seconds\` int not null default 600;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists \`slot_claims\`;`);

    this.addSql(`drop table if exists \`idempotency_keys\`;`);

    this.addSql(`drop table if exists \`holds\`;`);

    this.addSql(`drop table if exists \`booking_events\`;`);

    this.addSql(`drop table if exists \`bookings\`;`);

    this.addSql(`alter table \`tenants\` drop column \`hold_ttl_seconds\`;`);
  }
}
