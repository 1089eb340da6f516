import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/core";
import { errors } from "../../domain/app-error.js";
import { moduleLogger } from "../../logger.js";
import type { Database } from "../../store/database.js";
import { AgentArtifact, AgentTask, type AgentTaskProtocol } from "../../store/entities/index.js";
import type { BookingProgress } from "./booking-agent.js";

/**
 * Agent Protocol and A2A tasks in the database, so any node serves any task. Every read and
 * write names the tenant (besides the ORM's tenant filter): a task of another tenant is not
 * found. Tasks expire `retentionMs` after their last write: an expired task is never served,
 * and expired rows are deleted when tasks are added (at most once a minute per node), in
 * batches. Past `maxTasksPerTenant` tasks of one protocol, a tenant's oldest are deleted
 * when it adds one.
 */

const log = moduleLogger("gateway:agent-tasks");

/** How long tasks are kept and how many of them. */
export interface AgentTaskLimits {
  /** A task unchanged this long is gone (default 7 days). */
  retentionMs: number;
  /** Most tasks per tenant and protocol; the oldest go first (default 1000). */
  maxTasksPerTenant: number;
  /** Most artifacts per Agent Protocol task (default 100). */
  maxArtifactsPerTask: number;
  /** Largest artifact in bytes (default 60 KiB). */
  maxArtifactBytes: number;
  /** Most steps per Agent Protocol task (default 100). */
  maxStepsPerTask: number;
  /** How often a node deletes expired tasks, at most, when tasks are added (default 1 min). */
  sweepEveryMs: number;
}

export const defaultAgentTaskLimits: AgentTaskLimits = {
  retentionMs: 7 * 24 * 60 * 60_000,
  maxTasksPerTenant: 1000,
  maxArtifactsPerTask: 100,
  maxArtifactBytes: 60 * 1024,
  maxStepsPerTask: 100,
  sweepEveryMs: 60_000,
};

let limits: AgentTaskLimits = defaultAgentTaskLimits;

/** Changes the limits stores made from now on use; returns what undoes it (for tests). */
export function useAgentTaskLimits(changes: Partial<AgentTaskLimits>): () => void {
  const previous = limits;
  limits = { ...limits, ...changes };
  return () => {
    limits = previous;
  };
}

/** How many expired (or surplus) tasks one round deletes. */
const sweepBatch = 500;

/** One stored task: its protocol's document and the version the next write must match. */
export interface TaskRecord<Document> {
  id: string;
  tenantId: string;
  document: Document;
  version: number;
  createdAtMs: number;
  updatedAtMs: number;
}

/** The tasks of one protocol in the database. */
export class TaskRecords<Document extends object> {
  readonly limits: AgentTaskLimits = limits;
  #lastSweepMs = 0;

  constructor(
    private readonly db: Database,
    private readonly protocol: AgentTaskProtocol,
  ) {}

  /** Adds a task for a tenant, making room under the per-tenant bound. */
  async create(tenantId: string, id: string, document: Document): Promise<TaskRecord<Document>> {
    await this.sweepExpired();
    const em = this.db.forkForTenant(tenantId);
    const now = Date.now();
    const task = em.create(AgentTask, {
      id,
      tenant: tenantId,
      protocol: this.protocol,
      document: document as Record<string, unknown>,
      version: 1,
      createdAtMs: now,
      updatedAtMs: now,
    });
    await em.flush();
    await this.dropOldest(em, tenantId);
    return recordOf<Document>(task);
  }

  /** A live task of the tenant; another tenant's, or an expired one, is undefined. */
  async load(tenantId: string, id: string): Promise<TaskRecord<Document> | undefined> {
    const em = this.db.forkForTenant(tenantId);
    const task = await em.findOne(AgentTask, {
      id,
      tenant: tenantId,
      protocol: this.protocol,
      updatedAtMs: { $gte: this.cutoff() },
    });
    return task ? recordOf<Document>(task) : undefined;
  }

  /** The tenant's live tasks, oldest first, one page of them, with how many there are. */
  async page(
    tenantId: string,
    offset: number,
    limit: number,
  ): Promise<{ items: TaskRecord<Document>[]; total: number }> {
    const em = this.db.forkForTenant(tenantId);
    const [tasks, total] = await em.findAndCount(
      AgentTask,
      { tenant: tenantId, protocol: this.protocol, updatedAtMs: { $gte: this.cutoff() } },
      { orderBy: { createdAtMs: "asc", id: "asc" }, offset, limit },
    );
    return { items: tasks.map((task) => recordOf<Document>(task)), total };
  }

  /**
   * Writes a task's new document if nobody wrote it since `record` was read, running
   * `alongside` in the same transaction; false (and nothing written) when someone did.
   */
  async update(
    record: TaskRecord<Document>,
    document: Document,
    alongside?: (em: EntityManager) => Promise<void>,
  ): Promise<boolean> {
    const em = this.db.forkForTenant(record.tenantId);
    return em.transactional(async (tx) => {
      const now = Date.now();
      const changed = await tx.nativeUpdate(
        AgentTask,
        { id: record.id, tenant: record.tenantId, version: record.version },
        {
          document: document as Record<string, unknown>,
          version: record.version + 1,
          updatedAtMs: now,
        },
      );
      if (changed !== 1) return false;
      await alongside?.(tx);
      record.document = document;
      record.version += 1;
      record.updatedAtMs = now;
      return true;
    });
  }

  /**
   * Writes a task whatever its version, creating it when the tenant has none of this id;
   * refuses an id another tenant's task has.
   */
  async put(tenantId: string, id: string, document: Document): Promise<void> {
    const em = this.db.forkForTenant(tenantId);
    const now = Date.now();
    const changed = await em.nativeUpdate(
      AgentTask,
      { id, tenant: tenantId, protocol: this.protocol },
      { document: document as Record<string, unknown>, updatedAtMs: now },
    );
    if (changed === 1) return;
    const taken = await this.db.fork().count(AgentTask, { id }, { filters: false });
    if (taken > 0) throw errors.conflict(`task id ${id} is taken`);
    await this.create(tenantId, id, document);
  }

  private cutoff(): number {
    return Date.now() - this.limits.retentionMs;
  }

  /** Deletes the tenant's oldest tasks of this protocol past the bound. */
  private async dropOldest(em: EntityManager, tenantId: string): Promise<void> {
    const surplus = await em.find(
      AgentTask,
      { tenant: tenantId, protocol: this.protocol },
      {
        fields: ["id"],
        orderBy: { createdAtMs: "desc", id: "desc" },
        offset: this.limits.maxTasksPerTenant,
        limit: sweepBatch,
      },
    );
    if (surplus.length > 0)
      await deleteTasks(
        em,
        surplus.map((task) => task.id),
      );
  }

  /** Deletes a batch of expired tasks of every tenant, once a minute at most per node. */
  private async sweepExpired(): Promise<void> {
    const now = Date.now();
    if (now - this.#lastSweepMs < this.limits.sweepEveryMs) return;
    this.#lastSweepMs = now;
    try {
      const em = this.db.fork();
      const expired = await em.find(
        AgentTask,
        { updatedAtMs: { $lt: this.cutoff() } },
        { fields: ["id"], limit: sweepBatch, filters: false },
      );
      if (expired.length > 0)
        await deleteTasks(
          em,
          expired.map((task) => task.id),
        );
    } catch (err) {
      // Another node may be sweeping the same rows; expired tasks are not served anyway.
      log.warn({ err }, "could not delete expired agent tasks");
    }
  }
}

async function deleteTasks(em: EntityManager, ids: string[]): Promise<void> {
  await em.nativeDelete(AgentArtifact, { taskId: { $in: ids } }, { filters: false });
  await em.nativeDelete(AgentTask, { id: { $in: ids } }, { filters: false });
}

function recordOf<Document>(task: AgentTask): TaskRecord<Document> {
  return {
    id: task.id,
    tenantId: task.tenant,
    document: task.document as Document,
    version: task.version,
    createdAtMs: task.createdAtMs,
    updatedAtMs: task.updatedAtMs,
  };
}

/** What the Agent Protocol keeps of a task besides its artifacts. */
export interface ApTaskDocument {
  input: string | null;
  additionalInput: Record<string, unknown>;
  /** The booking it works on, or absent when the input was not a booking request. */
  booking?: BookingProgress | undefined;
  steps: StoredStep[];
}

/** One executed step of a task. */
export interface StoredStep {
  id: string;
  name: string;
  input: string | null;
  additionalInput: unknown;
  output: string;
  additionalOutput: unknown;
  isLast: boolean;
  artifactIds: string[];
}

/** An Agent Protocol task as the routes see it. */
export type StoredTask = TaskRecord<ApTaskDocument>;

/** A file attached to a task, without its bytes. */
export interface ArtifactInfo {
  id: string;
  fileName: string;
  relativePath: string | null;
  agentCreated: boolean;
  mediaType: string;
}

/** A file to attach. */
export interface ArtifactFile extends Omit<ArtifactInfo, "id"> {
  content: Buffer;
}

/** Agent Protocol tasks, steps and artifacts of every tenant. */
export class AgentTaskStore {
  readonly tasks: TaskRecords<ApTaskDocument>;
  /** Steps of one task on this node run one at a time, in the order they were asked. */
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(private readonly db: Database) {
    this.tasks = new TaskRecords<ApTaskDocument>(db, "agent-protocol");
  }

  get limits(): AgentTaskLimits {
    return this.tasks.limits;
  }

  add(tenantId: string, document: ApTaskDocument): Promise<StoredTask> {
    return this.tasks.create(tenantId, randomUUID(), document);
  }

  get(tenantId: string, taskId: string): Promise<StoredTask | undefined> {
    return this.tasks.load(tenantId, taskId);
  }

  /** The task's artifacts, oldest first, without their bytes. */
  async artifactsOf(task: StoredTask): Promise<ArtifactInfo[]> {
    return (await this.artifactsOfTasks(task.tenantId, [task.id])).get(task.id) ?? [];
  }

  /** One artifact of the task with its bytes. */
  async artifact(
    task: StoredTask,
    artifactId: string,
  ): Promise<(ArtifactInfo & { content: Buffer }) | undefined> {
    const em = this.db.forkForTenant(task.tenantId);
    const row = await em.findOne(AgentArtifact, {
      id: artifactId,
      tenant: task.tenantId,
      taskId: task.id,
    });
    return row ? { ...infoOf(row), content: Buffer.from(row.content) } : undefined;
  }

  /**
   * Writes the task's new document with `files` attached, as one transaction; refuses with
   * 409 when another node wrote the task meanwhile or the task holds all the files it may,
   * and with 413 for a file past the size bound.
   */
  async save(
    task: StoredTask,
    document: ApTaskDocument,
    files: (ArtifactFile & { id: string })[] = [],
  ): Promise<void> {
    for (const file of files) {
      if (file.content.length > this.limits.maxArtifactBytes) {
        throw errors.payloadTooLarge(Math.floor(this.limits.maxArtifactBytes / 1024));
      }
    }
    const written = await this.tasks.update(task, document, async (em) => {
      if (files.length === 0) return;
      const held = await em.count(AgentArtifact, { tenant: task.tenantId, taskId: task.id });
      if (held + files.length > this.limits.maxArtifactsPerTask) {
        throw errors.conflict(`task ${task.id} holds as many artifacts as it may`);
      }
      const now = Date.now();
      files.forEach((file, n) => {
        em.create(AgentArtifact, {
          ...file,
          tenant: task.tenantId,
          taskId: task.id,
          createdAtMs: now + n,
        });
      });
      await em.flush();
    });
    if (!written) {
      throw errors.conflict(`task ${task.id} changed meanwhile; read its steps and try again`);
    }
  }

  /** The artifacts (without bytes) of several tasks of one tenant, by task id. */
  async artifactsOfTasks(
    tenantId: string,
    taskIds: string[],
  ): Promise<Map<string, ArtifactInfo[]>> {
    const found = new Map<string, ArtifactInfo[]>(taskIds.map((id) => [id, []]));
    if (taskIds.length === 0) return found;
    const em = this.db.forkForTenant(tenantId);
    const rows = await em.find(
      AgentArtifact,
      { tenant: tenantId, taskId: { $in: taskIds } },
      {
        fields: ["id", "taskId", "fileName", "relativePath", "agentCreated", "mediaType"],
        orderBy: { createdAtMs: "asc", id: "asc" },
      },
    );
    for (const row of rows) found.get(row.taskId)?.push(infoOf(row));
    return found;
  }

  /** Runs `work` after this node's earlier work on the task, so steps never interleave. */
  serialize<T>(taskId: string, work: () => Promise<T>): Promise<T> {
    const before = this.#queues.get(taskId) ?? Promise.resolve();
    const run = before.then(work, work);
    const settled = run.catch(() => undefined);
    this.#queues.set(taskId, settled);
    void settled.then(() => {
      if (this.#queues.get(taskId) === settled) this.#queues.delete(taskId);
    });
    return run;
  }
}

function infoOf(row: Omit<ArtifactInfo, "id"> & { id: string }): ArtifactInfo {
  return {
    id: row.id,
    fileName: row.fileName,
    relativePath: row.relativePath,
    agentCreated: Boolean(row.agentCreated),
    mediaType: row.mediaType,
  };
}
