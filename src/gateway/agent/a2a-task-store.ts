import { Task, TaskState, type ListTasksRequest, type ListTasksResponse } from "@a2a-js/sdk";
import { RequestMalformedError } from "@a2a-js/sdk/errors";
import type { ServerCallContext, TaskStore } from "@a2a-js/sdk/server";
import type { Database } from "../../store/database.js";
import { TaskRecords } from "./agent-task-store.js";

/** How many tasks `ListTasks` gives when the caller does not say. */
const defaultPageSize = 50;

/**
 * The A2A SDK's task store on the database, so `GetTask` and `CancelTask` work on any node.
 * Every task belongs to the tenant `tenantOf` names for the call (the caller's credential's
 * tenant, whatever the request itself says): another tenant's task is never loaded, listed
 * or overwritten. Tasks are kept as the SDK's JSON form, with the retention and per-tenant
 * bound of every agent task.
 */
export class DatabaseTaskStore implements TaskStore {
  readonly #records: TaskRecords<Record<string, unknown>>;

  constructor(
    db: Database,
    private readonly tenantOf: (context: ServerCallContext) => string,
  ) {
    this.#records = new TaskRecords(db, "a2a");
  }

  async load(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    const record = await this.#records.load(this.tenantOf(context), taskId);
    return record ? Task.fromJSON(record.document) : undefined;
  }

  async save(task: Task, context: ServerCallContext): Promise<void> {
    const document = Task.toJSON(task) as Record<string, unknown>;
    await this.#records.put(this.tenantOf(context), task.id, document);
  }

  /** The tenant's tasks, newest status first, filtered and paged as the SDK's own store does. */
  async list(params: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    const tenantId = this.tenantOf(context);
    const { items } = await this.#records.page(tenantId, 0, this.#records.limits.maxTasksPerTenant);
    let tasks = items.map((record) => Task.fromJSON(record.document));
    if (params.contextId) tasks = tasks.filter((task) => task.contextId === params.contextId);
    if (params.status !== undefined && params.status !== TaskState.TASK_STATE_UNSPECIFIED) {
      tasks = tasks.filter((task) => task.status?.state === params.status);
    }
    if (params.statusTimestampAfter) {
      const after = new Date(params.statusTimestampAfter).getTime();
      tasks = tasks.filter((task) => new Date(task.status?.timestamp ?? 0).getTime() > after);
    }
    tasks.sort(
      (a, b) =>
        (b.status?.timestamp ?? "").localeCompare(a.status?.timestamp ?? "") ||
        b.id.localeCompare(a.id),
    );
    const totalSize = tasks.length;
    if (params.pageToken) tasks = tasks.slice(afterCursor(tasks, params.pageToken));
    const pageSize = params.pageSize ?? defaultPageSize;
    const page = tasks.slice(0, pageSize);
    const last = page.at(-1);
    const nextPageToken =
      last && tasks.length > page.length ? cursorOf(last.status?.timestamp ?? "", last.id) : "";
    return {
      tasks: page.map((task) => (params.includeArtifacts ? task : { ...task, artifacts: [] })),
      nextPageToken,
      pageSize,
      totalSize,
    };
  }
}

function cursorOf(timestamp: string, id: string): string {
  return Buffer.from(`${timestamp}|${id}`).toString("base64");
}

/** Where the page after `token` starts; past the end when its task is gone. */
function afterCursor(tasks: Task[], token: string): number {
  const decoded = Buffer.from(token, "base64").toString("utf8");
  const split = decoded.indexOf("|");
  if (split < 0) throw new RequestMalformedError("Invalid page token format.");
  const timestamp = decoded.slice(0, split);
  const id = decoded.slice(split + 1);
  const at = tasks.findIndex(
    (task) => (task.status?.timestamp ?? "") === timestamp && task.id === id,
  );
  return at === -1 ? tasks.length : at + 1;
}
