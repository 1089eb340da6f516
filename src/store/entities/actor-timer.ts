import { BigIntType, EntitySchema, type Opt } from "@mikro-orm/core";
import { jsonColumn } from "../json-column.js";

/** A stored actor timer: whichever node owns the shard fires it once it is due. */
export class ActorTimer {
  actorKey!: string;
  timerId!: string;
  shard!: number;
  dueAtMs!: number;
  payload: Opt<unknown> | null = null;
  createdAtMs: Opt<number> = Date.now();
}

export const ActorTimerSchema = new EntitySchema<ActorTimer>({
  class: ActorTimer,
  tableName: "actor_timers",
  properties: {
    actorKey: { type: "string", length: 200, primary: true },
    timerId: { type: "string", length: 100, primary: true },
    shard: { type: "integer", index: true },
    dueAtMs: { type: new BigIntType("number") },
    payload: { ...jsonColumn, nullable: true },
    createdAtMs: { type: new BigIntType("number") },
  },
});
