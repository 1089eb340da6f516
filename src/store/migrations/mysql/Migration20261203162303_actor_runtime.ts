import { Migration } from "@mikro-orm/migrations";

export class Migration20261203162303_actor_runtime extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`actor_timers\` (\`actor_key\` varchar(200) not null, \`timer_id\` varchar(100) not null, \`shard\` int not null, \`due_at_ms\` bigint not null, \`payload\` json null, \`created_at_ms\` bigint not null, primary key (\`actor_key\`, \`timer_id\`)) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`actor_timers\` add index \`actor_timers_shard_index\`(\`shard\`);`);

    this.addSql(
      `create table \`cluster_probes\` (\`token\` varchar(100) not null, \`actor_key\` varchar(200) not null, \`node_id\` varchar(100) not null, \`epoch\` int not null, \`created_at_ms\` bigint not null, primary key (\`token\`)) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(
      `alter table \`cluster_probes\` add index \`cluster_probes_actor_key_index\`(\`actor_key\`);`,
    );

    this.addSql(
      `create table \`shard_owners\` (\`shard\` int unsigned not null, \`epoch\` int not null default 0, \`owner\` varchar(100) null, \`claimed_at_ms\` bigint null, primary key (\`shard\`)) default character set utf8mb4 engine = InnoDB;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists \`actor_timers\`;`);

    this.addSql(`drop table if exists \`cluster_probes\`;`);

    this.addSql(`drop table if exists \`shard_owners\`;`);
  }
}
