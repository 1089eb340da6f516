import { BigIntType, EntitySchema, type Opt } from "@mikro-orm/core";

/** A write made by the cluster's self-test actor: which node wrote it under which epoch. */
export class ClusterProbe {
  token!: string;
  actorKey!: string;
  nodeId!: string;
  epoch!: number;
  createdAtMs: Opt<number> = Date.now();
}

export const ClusterProbeSchema = new EntitySchema<ClusterProbe>({
  class: ClusterProbe,
  tableName: "cluster_probes",
  properties: {
    token: { type: "string", length: 100, primary: true },
    actorKey: { type: "string", length: 200, index: true },
    nodeId: { type: "string", length: 100 },
    epoch: { type: "integer" },
    createdAtMs: { type: new BigIntType("number") },
  },
});
