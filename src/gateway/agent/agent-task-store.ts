import { randomUUID } from "node:crypto";
import type { BookingProgress } from "./booking-agent.js";

/**
 * Agent Protocol tasks, steps and artifacts, kept in this node's memory per tenant. A task is
 * seen only through the node that made it, and the oldest go once a tenant has more than
 * `maxTasksPerTenant`. TODO(#7): keep them in the database so every node sees every task.
 */

/** A file attached to a task, made by the agent or uploaded by the caller. */
export interface StoredArtifact {
  id: string;
  fileName: string;
  relativePath: string | null;
  agentCreated: boolean;
  mediaType: string;
  content: Buffer;
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

/** A task of one tenant. */
export interface StoredTask {
  id: string;
  tenantId: string;
  input: string | null;
  additionalInput: Record<string, unknown>;
  /** The booking it works on, or undefined when the input was not a booking request. */
  booking: BookingProgress | undefined;
  steps: StoredStep[];
  artifacts: StoredArtifact[];
  /** Steps of one task run one at a time, in the order they were asked. */
  queue: Promise<unknown>;
}

/** How many tasks each tenant keeps, and how many artifacts each task. */
export const maxTasksPerTenant = 1000;
export const maxArtifactsPerTask = 100;

/** The in-memory task store of one node. */
export class AgentTaskStore {
  readonly #tasks = new Map<string, Map<string, StoredTask>>();

  /** Adds a task for a tenant, dropping the tenant's oldest past the bound. */
  add(task: Omit<StoredTask, "id" | "steps" | "artifacts" | "queue">): StoredTask {
    const stored: StoredTask = {
      ...task,
      id: randomUUID(),
      steps: [],
      artifacts: [],
      queue: Promise.resolve(),
    };
    const tenantTasks = this.#tasksOf(task.tenantId);
    tenantTasks.set(stored.id, stored);
    while (tenantTasks.size > maxTasksPerTenant) {
      const oldest = tenantTasks.keys().next().value as string;
      tenantTasks.delete(oldest);
    }
    return stored;
  }

  /** A task of the tenant; another tenant's task is not found. */
  get(tenantId: string, taskId: string): StoredTask | undefined {
    return this.#tasks.get(tenantId)?.get(taskId);
  }

  /** The tenant's tasks, oldest first. */
  list(tenantId: string): StoredTask[] {
    return [...(this.#tasks.get(tenantId)?.values() ?? [])];
  }

  /** Runs `work` after the task's earlier steps, so steps never interleave. */
  serialize<T>(task: StoredTask, work: () => Promise<T>): Promise<T> {
    const run = task.queue.then(work, work);
    task.queue = run.catch(() => undefined);
    return run;
  }

  #tasksOf(tenantId: string): Map<string, StoredTask> {
    let tasks = this.#tasks.get(tenantId);
    if (!tasks) {
      tasks = new Map();
      this.#tasks.set(tenantId, tasks);
    }
    return tasks;
  }
}

/** Attaches a file to a task, refusing past the per-task bound. */
export function attachArtifact(
  task: StoredTask,
  file: Omit<StoredArtifact, "id">,
): StoredArtifact | undefined {
  if (task.artifacts.length >= maxArtifactsPerTask) return undefined;
  const artifact = { ...file, id: randomUUID() };
  task.artifacts.push(artifact);
  return artifact;
}
