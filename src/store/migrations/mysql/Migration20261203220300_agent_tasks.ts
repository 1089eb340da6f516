import { Migration } from "@mikro-orm/migrations";

/** Agent Protocol and A2A tasks, and Agent Protocol artifacts, kept for every node. */
export class Migration20261203220300_agent_tasks extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`agent_tasks\` (\`id\` varchar(64) not null, \`tenant_id\` varchar(40) not null, \`protocol\` varchar(20) not null, \`document\` json not null, \`version\` int not null default 1, \`created_at_ms\` bigint not null, \`updated_at_ms\` bigint not null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(
      `alter table \`agent_tasks\` add index \`agent_tasks_tenant_id_index\`(\`tenant_id\`);`,
    );
    this.addSql(
      `alter table \`agent_tasks\` add index \`agent_tasks_tenant_id_protocol_created_at_ms_index\`(\`tenant_id\`, \`protocol\`, \`created_at_ms\`);`,
    );
    this.addSql(
      `alter table \`agent_tasks\` add index \`agent_tasks_updated_at_ms_index\`(\`updated_at_ms\`);`,
    );

    this.addSql(
      `create table \`agent_artifacts\` (\`id\` varchar(40) not null, \`tenant_id\` varchar(40) not null, \`task_id\` varchar(64) not null, \`file_name\` varchar(200) not null, \`relative_path\` varchar(500) null, \`agent_created\` tinyint(1) not null, \`media_type\` varchar(100) not null, \`content\` blob not null, \`created_at_ms\` bigint not null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(
      `alter table \`agent_artifacts\` add index \`agent_artifacts_tenant_id_index\`(\`tenant_id\`);`,
    );
    this.addSql(
      `alter table \`agent_artifacts\` add index \`agent_artifacts_task_id_index\`(\`task_id\`);`,
    );
    this.addSql(
      `alter table \`agent_artifacts\` add index \`agent_artifacts_tenant_id_task_id_created_at_ms_index\`(\`tenant_id\`, \`task_id\`, \`created_at_ms\`);`,
    );

    this.addSql(
      `alter table \`agent_tasks\` add constraint \`agent_tasks_tenant_id_foreign\` foreign key (\`tenant_id\`) references \`tenants\` (\`id\`) on update cascade;`,
    );
    this.addSql(
      `alter table \`agent_artifacts\` add constraint \`agent_artifacts_tenant_id_foreign\` foreign key (\`tenant_id\`) references \`tenants\` (\`id\`) on update cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists \`agent_artifacts\`;`);
    this.addSql(`drop table if exists \`agent_tasks\`;`);
  }
}
