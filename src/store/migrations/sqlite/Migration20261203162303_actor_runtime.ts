import { Migration } from "@mikro-orm/migrations";

export class Migration20261203162303_actor_runtime extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`actor_timers\` (\`actor_key\` text not null, \`timer_id\` text not null, \`shard\` integer not null, \`due_at_ms\` bigint not null, \`payload\` json null, \`created_at_ms\` bigint not null, primary key (\`actor_key\`, \`timer_id\`));`,
    );
    this.addSql(`create index \`actor_timers_shard_index\` on \`actor_timers\` (\`shard\`);`);

    this.addSql(
      `create table \`cluster_probes\` (\`token\` text not null, \`actor_key\` text not null, \`node_id\` text not null, \`epoch\` integer not null, \`created_at_ms\` bigint not null, primary key (\`token\`));`,
    );
    this.addSql(
      `create index \`cluster_probes_actor_key_index\` on \`cluster_probes\` (\`actor_key\`);`,
    );

    this.addSql(
      `create table \`shard_owners\` (\`shard\` integer not null, \`epoch\` integer not null default 0, \`owner\` text null, \`claimed_at_ms\` bigint null, primary key (\`shard\`));`,
    );
  }
}
