import { Migration } from "@mikro-orm/migrations";

export class Migration20261203220100_inbound_webhooks extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`webhook_sources\` (\`id\` text not null, \`tenant_id\` text not null, \`name\` text not null, \`secret_prefix\` text not null, \`secret_ciphertext\` text not null, \`previous_secret_ciphertext\` text null, \`previous_secret_expires_at\` datetime null, \`tolerance_seconds\` integer not null default 300, \`allowed_event_types\` json not null, \`is_active\` integer not null default true, \`created_at\` datetime not null, constraint \`webhook_sources_tenant_id_foreign\` foreign key(\`tenant_id\`) references \`tenants\`(\`id\`) on update cascade, primary key (\`id\`));`,
    );
    this.addSql(
      `create index \`webhook_sources_tenant_id_index\` on \`webhook_sources\` (\`tenant_id\`);`,
    );

    this.addSql(
      `create table \`inbound_events\` (\`id\` text not null, \`tenant_id\` text not null, \`source_id\` text not null, \`event_id\` text not null, \`type\` text not null, \`status\` text not null, \`error_code\` text null, \`result_id\` text null, \`received_at\` datetime not null, \`completed_at\` datetime null, constraint \`inbound_events_tenant_id_foreign\` foreign key(\`tenant_id\`) references \`tenants\`(\`id\`) on update cascade, primary key (\`id\`));`,
    );
    this.addSql(
      `create index \`inbound_events_tenant_id_index\` on \`inbound_events\` (\`tenant_id\`);`,
    );
    this.addSql(
      `create unique index \`inbound_events_source_id_event_id_unique\` on \`inbound_events\` (\`source_id\`, \`event_id\`);`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists \`inbound_events\`;`);
    this.addSql(`drop table if exists \`webhook_sources\`;`);
  }
}
