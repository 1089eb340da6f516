import { randomUUID } from "node:crypto";
import { Role, TaskState, type Artifact, type Message, type Part } from "@a2a-js/sdk";
import {
  AgentEvent,
  type AgentExecutor,
  type ExecutionEventBus,
  type RequestContext,
  type ServerCallContext,
} from "@a2a-js/sdk/server";
import type { EngineServices } from "../../commands/command.js";
import { isAppError } from "../../domain/app-error.js";
import {
  cancelNamedBooking,
  refusalFor,
  runNextStage,
  startBooking,
  type AgentCaller,
  type AgentFile,
  type StageOutcome,
} from "./booking-agent.js";
import { readIntent } from "./booking-request.js";

/** The key under which the A2A adapter leaves the caller in the call context's state. */
export const callerStateKey = "vbwd.caller";

/** The caller of an A2A request, with the tenant its credential belongs to. */
export interface A2aCaller extends AgentCaller {
  tenantId: string;
}

/** Reads the caller the adapter put in the call context. */
export function callerOf(context: ServerCallContext): A2aCaller {
  const caller = context.state.get(callerStateKey) as A2aCaller | undefined;
  if (!caller) throw new Error("an A2A call reached the executor without a caller");
  return caller;
}

/**
 * The A2A executor: a message is a whole booking (find → hold → book, all through the
 * engine's commands) or a cancellation, answered as a finished task with the booking as
 * artifacts. Requests it cannot act on end as failed (or rejected) tasks saying why.
 */
export class BookingExecutor implements AgentExecutor {
  readonly #cancelled = new Set<string>();

  constructor(private readonly services: EngineServices) {}

  execute = async (requestContext: RequestContext, bus: ExecutionEventBus): Promise<void> => {
    const { taskId, contextId } = requestContext;
    const message = requestContext.userMessage;
    bus.publish(
      AgentEvent.task({
        id: taskId,
        contextId,
        status: statusOf(TaskState.TASK_STATE_WORKING, contextId, taskId),
        artifacts: [],
        history: [message],
        metadata: undefined,
      }),
    );

    const { state, outcome } = await this.#answer(requestContext, message);
    for (const file of outcome.files) {
      bus.publish(
        AgentEvent.artifactUpdate({
          taskId,
          contextId,
          artifact: artifactOf(file),
          append: false,
          lastChunk: true,
          metadata: undefined,
        }),
      );
    }
    bus.publish(
      AgentEvent.statusUpdate({
        taskId,
        contextId,
        status: statusOf(state, contextId, taskId, outcome.output),
        metadata: undefined,
      }),
    );
    this.#cancelled.delete(taskId);
    bus.finished();
  };

  cancelTask = async (taskId: string, bus: ExecutionEventBus): Promise<void> => {
    this.#cancelled.add(taskId);
    bus.publish(
      AgentEvent.statusUpdate({
        taskId,
        contextId: "",
        status: statusOf(TaskState.TASK_STATE_CANCELED, "", taskId, "Cancelled on request."),
        metadata: undefined,
      }),
    );
  };

  async #answer(requestContext: RequestContext, message: Message) {
    const caller = callerOf(requestContext.context);
    const intent = readIntent(textOf(message), dataOf(message));
    if (intent.kind === "unrelated") {
      const outcome: StageOutcome = {
        name: "answer",
        output: refusalFor(intent.text),
        finished: true,
        failed: true,
        files: [],
      };
      return { state: TaskState.TASK_STATE_REJECTED, outcome };
    }
    try {
      const outcome =
        intent.kind === "cancel"
          ? await cancelNamedBooking(this.services, caller, intent.bookingId)
          : await this.#book(requestContext.taskId, caller, intent.request);
      return { state: stateOf(outcome), outcome };
    } catch (err) {
      // A refusal of the engine (a suspended tenant, a moving shard) still ends the task.
      if (!isAppError(err)) throw err;
      const outcome: StageOutcome = {
        name: "answer",
        output: err.message,
        finished: true,
        failed: true,
        files: [],
      };
      return { state: TaskState.TASK_STATE_FAILED, outcome };
    }
  }

  async #book(taskId: string, caller: AgentCaller, request: Parameters<typeof startBooking>[0]) {
    const progress = startBooking(request, `a2a-task-${taskId}`);
    const files: AgentFile[] = [];
    let outcome: StageOutcome | undefined;
    while (progress.stage !== "done" && !this.#cancelled.has(taskId)) {
      const current = await runNextStage(this.services, caller, progress);
      // The slots matter only when the booking stopped at them.
      files.push(...current.files.filter((f) => current.finished || f.fileName !== "slots.json"));
      outcome = current;
    }
    if (!outcome) return cancelledOutcome();
    return { ...outcome, files };
  }
}

function cancelledOutcome(): StageOutcome {
  const output = "The booking was cancelled before it was made.";
  return { name: "cancel", output, finished: true, failed: true, files: [] };
}

function stateOf(outcome: StageOutcome): TaskState {
  return outcome.failed ? TaskState.TASK_STATE_FAILED : TaskState.TASK_STATE_COMPLETED;
}

function statusOf(state: TaskState, contextId: string, taskId: string, text?: string) {
  return {
    state,
    message: text === undefined ? undefined : agentMessage(contextId, taskId, text),
    timestamp: new Date().toISOString(),
  };
}

function agentMessage(contextId: string, taskId: string, text: string): Message {
  return {
    messageId: randomUUID(),
    contextId,
    taskId,
    role: Role.ROLE_AGENT,
    parts: [textPart(text)],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

function textPart(text: string): Part {
  return {
    content: { $case: "text", value: text },
    metadata: undefined,
    filename: "",
    mediaType: "text/plain",
  };
}

/** A JSON file becomes a data part; any other file its raw bytes. */
function artifactOf(file: AgentFile): Artifact {
  const part: Part =
    file.mediaType === "application/json"
      ? {
          content: { $case: "data", value: JSON.parse(file.content.toString("utf8")) },
          metadata: undefined,
          filename: file.fileName,
          mediaType: file.mediaType,
        }
      : {
          content: { $case: "raw", value: file.content },
          metadata: undefined,
          filename: file.fileName,
          mediaType: file.mediaType,
        };
  return {
    artifactId: file.fileName,
    name: file.fileName,
    description: "",
    parts: [part],
    metadata: undefined,
    extensions: [],
  };
}

function textOf(message: Message): string {
  return message.parts
    .flatMap((part) => (part.content?.$case === "text" ? [part.content.value] : []))
    .join("\n");
}

function dataOf(message: Message): unknown {
  const data = message.parts.find((part) => part.content?.$case === "data");
  return data?.content?.$case === "data" ? data.content.value : undefined;
}
