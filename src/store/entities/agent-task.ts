import { BigIntType, BlobType, EntitySchema, type Opt } from "@mikro-orm/core";
import { jsonColumn } from "../json-column.js";
import { tenantColumn, tenantFilter, type TenantOwned } from "../tenant-owned.js";

/** The protocols whose tasks are kept: Agent Protocol v1 and A2A. */
export const agentTaskProtocols = ["agent-protocol", "a2a"] as const;
export type AgentTaskProtocol = (typeof agentTaskProtocols)[number];

/**
 * A task of an agent protocol, kept in the database so every node serves it. `document` is
 * the protocol's own state of the task (Agent Protocol: input, steps and booking progress;
 * A2A: the SDK's task as JSON); `version` counts its writes, so two nodes never overwrite
 * each other's step. Tasks expire a while after their last write.
 */
export class AgentTask implements TenantOwned {
  id!: string;
  tenant!: string;
  protocol!: AgentTaskProtocol;
  document!: Record<string, unknown>;
  version: Opt<number> = 1;
  createdAtMs: Opt<number> = Date.now();
  updatedAtMs: Opt<number> = Date.now();
}

export const AgentTaskSchema = new EntitySchema<AgentTask>({
  class: AgentTask,
  tableName: "agent_tasks",
  filters: { tenant: tenantFilter },
  indexes: [{ properties: ["tenant", "protocol", "createdAtMs"] }, { properties: ["updatedAtMs"] }],
  properties: {
    id: { type: "string", length: 64, primary: true },
    tenant: { ...tenantColumn },
    protocol: { type: "string", length: 20 },
    document: { ...jsonColumn },
    version: { type: "integer" },
    createdAtMs: { type: new BigIntType("number") },
    updatedAtMs: { type: new BigIntType("number") },
  },
});

/** A file attached to an Agent Protocol task: made by the agent or uploaded by the caller. */
export class AgentArtifact implements TenantOwned {
  id!: string;
  tenant!: string;
  taskId!: string;
  fileName!: string;
  relativePath: string | null = null;
  agentCreated!: boolean;
  mediaType!: string;
  content!: Buffer;
  createdAtMs: Opt<number> = Date.now();
}

export const AgentArtifactSchema = new EntitySchema<AgentArtifact>({
  class: AgentArtifact,
  tableName: "agent_artifacts",
  filters: { tenant: tenantFilter },
  indexes: [{ properties: ["tenant", "taskId", "createdAtMs"] }],
  properties: {
    id: { type: "string", length: 40, primary: true },
    tenant: { ...tenantColumn },
    taskId: { type: "string", length: 64, index: true },
    fileName: { type: "string", length: 200 },
    relativePath: { type: "string", length: 500, nullable: true },
    agentCreated: { type: "boolean" },
    mediaType: { type: "string", length: 100 },
    content: { type: BlobType },
    createdAtMs: { type: new BigIntType("number") },
  },
});
