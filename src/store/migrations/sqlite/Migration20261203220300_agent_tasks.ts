import { Migration } from "@mikro-orm/migrations";

/** Agent Protocol and A2A tasks, and Agent Protocol artifacts, kept for every node. */
export class Migration20261203220300_agent_tasks extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`agent_tasks\` (\`id\` text not null, \`tenant_id\` text not null, \`protocol\` text not null, \`document\` json not null, \`version\` integer not null default 1, \`created_at_ms\` bigint not null, \`updated_at_ms\` bigint not null, constraint \`agent_tasks_tenant_id_foreign\` foreign key(\`tenant_id\`) references \`tenants\`(\`id\`) on update cascade, primary key (\`id\`));`,
    );
    this.addSql(`create index \`agent_tasks_tenant_id_index\` on \`agent_tasks\` (\`tenant_id\`);`);
    this.addSql(
      `create index \`agent_tasks_tenant_id_protocol_created_at_ms_index\` on \`agent_tasks\` (\`tenant_id\`, \`protocol\`, \`created_at_ms\`);`,
    );
    this.addSql(
      `create index \`agent_tasks_updated_at_ms_index\` on \`agent_tasks\` (\`updated_at_ms\`);`,
    );

    this.addSql(
      `create table \`agent_artifacts\` (\`id\` text not null, \`tenant_id\` text not null, \`task_id\` text not null, \`file_name\` text not null, \`relative_path\` text null, \`agent_created\` integer not null, \`media_type\` text not null, \`content\` blob not null, \`created_at_ms\` bigint not null, constraint \`agent_artifacts_tenant_id_foreign\` foreign key(\`tenant_id\`) references \`tenants\`(\`id\`) on update cascade, primary key (\`id\`));`,
    );
    this.addSql(
      `create index \`agent_artifacts_tenant_id_index\` on \`agent_artifacts\` (\`tenant_id\`);`,
    );
    this.addSql(
      `create index \`agent_artifacts_task_id_index\` on \`agent_artifacts\` (\`task_id\`);`,
    );
    this.addSql(
      `create index \`agent_artifacts_tenant_id_task_id_created_at_ms_index\` on \`agent_artifacts\` (\`tenant_id\`, \`task_id\`, \`created_at_ms\`);`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists \`agent_artifacts\`;`);
    this.addSql(`drop table if exists \`agent_tasks\`;`);
  }
}
