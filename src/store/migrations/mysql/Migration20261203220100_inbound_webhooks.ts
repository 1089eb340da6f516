import { Migration } from "@mikro-orm/migrations";

export class Migration20261203220100_inbound_webhooks extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`webhook_sources\` (\`id\` varchar(40) not null, \`tenant_id\` varchar(40) not null, \`name\` varchar(100) not null, \`secret_prefix\` varchar(24) not null, \`secret_ciphertext\` varchar(255) not null, \`previous_secret_ciphertext\` varchar(255) null, \`previous_secret_expires_at\` datetime(3) null, \`tolerance_seconds\` int not null default 300, \`allowed_event_types\` json not null, \`is_active\` tinyint(1) not null default true, \`created_at\` datetime(3) not null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(
      `alter table \`webhook_sources\` add index \`webhook_sources_tenant_id_index\`(\`tenant_id\`);`,
    );

    this.addSql(
      `create table \`inbound_events\` (\`id\` varchar(40) not null, \`tenant_id\` varchar(40) not null, \`source_id\` varchar(40) not null, \`event_id\` varchar(200) not null, \`type\` varchar(40) not null, \`status\` varchar(20) not null, \`error_code\` varchar(40) null, \`result_id\` varchar(60) null, \`received_at\` datetime(3) not null, \`completed_at\` datetime(3) null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(
      `alter table \`inbound_events\` add index \`inbound_events_tenant_id_index\`(\`tenant_id\`);`,
    );
    this.addSql(
      `alter table \`inbound_events\` add unique \`inbound_events_source_id_event_id_unique\`(\`source_id\`, \`event_id\`);`,
    );

    this.addSql(
      `alter table \`webhook_sources\` add constraint \`webhook_sources_tenant_id_foreign\` foreign key (\`tenant_id\`) references \`tenants\` (\`id\`) on update cascade;`,
    );
    this.addSql(
      `alter table \`inbound_events\` add constraint \`inbound_events_tenant_id_foreign\` foreign key (\`tenant_id\`) references \`tenants\` (\`id\`) on update cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists \`inbound_events\`;`);
    this.addSql(`drop table if exists \`webhook_sources\`;`);
  }
}
