import { BigIntType, EntitySchema, type Opt } from "@mikro-orm/core";

/** The fencing epoch of one actor shard and the node that last claimed it. */
export class ShardOwner {
  shard!: number;
  epoch: Opt<number> = 0;
  owner: string | null = null;
  claimedAtMs: number | null = null;
}

export const ShardOwnerSchema = new EntitySchema<ShardOwner>({
  class: ShardOwner,
  tableName: "shard_owners",
  properties: {
    shard: { type: "integer", primary: true, autoincrement: false },
    epoch: { type: "integer" },
    owner: { type: "string", length: 100, nullable: true },
    claimedAtMs: { type: new BigIntType("number"), nullable: true },
  },
});
