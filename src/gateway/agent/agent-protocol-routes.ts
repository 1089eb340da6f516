import { randomUUID } from "node:crypto";
import type Router from "@koa/router";
import type { Next } from "koa";
import { z } from "zod";
import type { EngineServices } from "../../commands/command.js";
import { commands } from "../../commands/registry.js";
import { errors, isAppError, type AppError } from "../../domain/app-error.js";
import { httpStatusOf } from "../error-status.js";
import type { HttpContext, HttpState } from "../http/http-state.js";
import { credentialOf } from "../http/request-identity.js";
import { readJsonBody, readMultipartFile } from "./agent-bodies.js";
import {
  AgentTaskStore,
  type ApTaskDocument,
  type ArtifactFile,
  type ArtifactInfo,
  type StoredStep,
  type StoredTask,
} from "./agent-task-store.js";
import {
  cancelNamedBooking,
  refusalFor,
  runCommand,
  runNextStage,
  startBooking,
  type AgentCaller,
  type StageOutcome,
} from "./booking-agent.js";
import { readIntent } from "./booking-request.js";

const base = "/ap/v1/agent/tasks";

/** A caller of the Agent Protocol, with the tenant its credential belongs to. */
interface ApCaller extends AgentCaller {
  tenantId: string;
}

const requestBody = z.object({
  input: z.string().max(10_000).nullish(),
  additional_input: z.record(z.string(), z.unknown()).nullish(),
});

const paging = z.object({
  current_page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(100).default(10),
});

/** What the route groups below share. */
interface ApRoutes {
  router: Router<HttpState>;
  services: EngineServices;
  store: AgentTaskStore;
  limitKb: number;
  /** Wraps a handler: identify the caller first, answer errors in the protocol's form. */
  route(
    handle: (ctx: HttpContext, caller: ApCaller) => Promise<void>,
  ): (ctx: HttpContext, next: Next) => Promise<void>;
}

/**
 * Agent Protocol v1 at `/ap/v1/agent/tasks`: booking tasks run step by step. Tasks, steps and
 * artifacts are kept in the database, so any node serves any of them.
 */
export function mountAgentProtocol(router: Router<HttpState>, services: EngineServices): void {
  const routes: ApRoutes = {
    router,
    services,
    store: new AgentTaskStore(services.db),
    limitKb: services.config.bodyLimitKb,
    route: (handle) =>
      answerInProtocolForm(async (ctx) => handle(ctx, await identifyCaller(services, ctx))),
  };
  mountTaskRoutes(routes);
  mountStepRoutes(routes);
  mountArtifactRoutes(routes);
}

function mountTaskRoutes({ router, store, limitKb, route }: ApRoutes): void {
  router.post(
    base,
    route(async (ctx, caller) => {
      const body = parseWith(requestBody, (await readJsonBody(ctx, limitKb)) ?? {});
      const task = await store.add(caller.tenantId, {
        input: body.input ?? null,
        additionalInput: body.additional_input ?? {},
        steps: [],
      });
      ctx.body = viewTask(task, []);
    }),
  );

  router.get(
    base,
    route(async (ctx, caller) => {
      const page = parseWith(paging, ctx.query);
      const offset = (page.current_page - 1) * page.page_size;
      const { items, total } = await store.tasks.page(caller.tenantId, offset, page.page_size);
      const artifacts = await store.artifactsOfTasks(
        caller.tenantId,
        items.map((task) => task.id),
      );
      ctx.body = {
        tasks: items.map((task) => viewTask(task, artifacts.get(task.id) ?? [])),
        pagination: paginationOf(total, page),
      };
    }),
  );

  router.get(
    `${base}/:taskId`,
    route(async (ctx, caller) => {
      const task = await findTask(store, caller, ctx);
      ctx.body = viewTask(task, await store.artifactsOf(task));
    }),
  );
}

function mountStepRoutes({ router, services, store, limitKb, route }: ApRoutes): void {
  router.post(
    `${base}/:taskId/steps`,
    route(async (ctx, caller) => {
      const { id: taskId } = await findTask(store, caller, ctx);
      const body = parseWith(requestBody, (await readJsonBody(ctx, limitKb)) ?? {});
      ctx.body = await store.serialize(taskId, async () => {
        // Read inside the queue: the step before may have just changed the task.
        const task = await findTask(store, caller, ctx);
        const input = body.input ?? null;
        const step = await executeStep(
          services,
          store,
          caller,
          task,
          input,
          body.additional_input ?? {},
        );
        return viewStep(task, step, await store.artifactsOf(task));
      });
    }),
  );

  router.get(
    `${base}/:taskId/steps`,
    route(async (ctx, caller) => {
      const task = await findTask(store, caller, ctx);
      const artifacts = await store.artifactsOf(task);
      const { items, pagination } = pageOf(task.document.steps, parseWith(paging, ctx.query));
      ctx.body = { steps: items.map((step) => viewStep(task, step, artifacts)), pagination };
    }),
  );

  router.get(
    `${base}/:taskId/steps/:stepId`,
    route(async (ctx, caller) => {
      const task = await findTask(store, caller, ctx);
      const stepId = paramOf(ctx, "stepId");
      const step = task.document.steps.find((candidate) => candidate.id === stepId);
      if (!step) throw errors.notFound("step", stepId);
      ctx.body = viewStep(task, step, await store.artifactsOf(task));
    }),
  );
}

function mountArtifactRoutes({ router, store, limitKb, route }: ApRoutes): void {
  router.get(
    `${base}/:taskId/artifacts`,
    route(async (ctx, caller) => {
      const task = await findTask(store, caller, ctx);
      const artifacts = await store.artifactsOf(task);
      const { items, pagination } = pageOf(artifacts, parseWith(paging, ctx.query));
      ctx.body = { artifacts: items.map(viewArtifact), pagination };
    }),
  );

  router.post(
    `${base}/:taskId/artifacts`,
    route(async (ctx, caller) => {
      const task = await findTask(store, caller, ctx);
      const upload = await readMultipartFile(ctx, limitKb, "file");
      const artifact = {
        id: randomUUID(),
        fileName: safeFileName(upload.fileName),
        relativePath: upload.fields["relative_path"] ?? null,
        agentCreated: false,
        mediaType: upload.mediaType.slice(0, 100),
        content: upload.content,
      };
      await store.serialize(task.id, async () => {
        const current = await findTask(store, caller, ctx);
        await store.save(current, current.document, [artifact]);
      });
      ctx.body = viewArtifact(artifact);
    }),
  );

  router.get(
    `${base}/:taskId/artifacts/:artifactId`,
    route(async (ctx, caller) => {
      const task = await findTask(store, caller, ctx);
      const artifactId = paramOf(ctx, "artifactId");
      const artifact = await store.artifact(task, artifactId);
      if (!artifact) throw errors.notFound("artifact", artifactId);
      ctx.type = "application/octet-stream";
      ctx.set("Content-Disposition", `attachment; filename="${artifact.fileName}"`);
      ctx.body = artifact.content;
    }),
  );
}

/** Runs the task's next step (the booking's next stage, or a closing answer) and keeps it. */
async function executeStep(
  services: EngineServices,
  store: AgentTaskStore,
  caller: ApCaller,
  task: StoredTask,
  input: string | null,
  additionalInput: Record<string, unknown>,
): Promise<StoredStep> {
  const document = structuredClone(task.document);
  if (document.steps.length >= store.limits.maxStepsPerTask) {
    throw errors.conflict(`task ${task.id} has run as many steps as it may; create a new task`);
  }
  const last = document.steps.at(-1);
  const outcome = last?.isLast
    ? finishedAnswer(task.id)
    : await nextOutcome(services, caller, task.id, document, input, additionalInput);
  const room = store.limits.maxArtifactsPerTask - (await store.artifactsOf(task)).length;
  const files: (ArtifactFile & { id: string })[] = outcome.files
    .filter((file) => file.content.length <= store.limits.maxArtifactBytes)
    .slice(0, Math.max(0, room))
    .map((file) => ({ ...file, id: randomUUID(), relativePath: null, agentCreated: true }));
  const step: StoredStep = {
    id: randomUUID(),
    name: outcome.name,
    input,
    additionalInput,
    output: outcome.output,
    additionalOutput: outcome.data ?? null,
    isLast: outcome.finished,
    artifactIds: files.map((file) => file.id),
  };
  document.steps.push(step);
  await store.save(task, document, files);
  return step;
}

async function nextOutcome(
  services: EngineServices,
  caller: ApCaller,
  taskId: string,
  task: ApTaskDocument,
  input: string | null,
  additionalInput: Record<string, unknown>,
): Promise<StageOutcome> {
  if (task.steps.length === 0) {
    const text = task.input?.trim() ? task.input : input;
    const intent = readIntent(text, { ...additionalInput, ...task.additionalInput });
    if (intent.kind === "cancel") return cancelNamedBooking(services, caller, intent.bookingId);
    if (intent.kind === "unrelated") {
      const output = refusalFor(intent.text);
      return { name: "answer", output, finished: true, failed: true, files: [] };
    }
    task.booking = startBooking(intent.request, `ap-task-${taskId}`);
  }
  if (!task.booking) return finishedAnswer(taskId);
  return runNextStage(services, caller, task.booking);
}

function finishedAnswer(taskId: string): StageOutcome {
  const output = `Task ${taskId} is finished; nothing is left to do. Create a new task for another booking.`;
  return { name: "done", output, finished: true, failed: false, files: [] };
}

/** The caller's credential and tenant; a missing or unknown credential is a 401. */
async function identifyCaller(services: EngineServices, ctx: HttpContext): Promise<ApCaller> {
  const caller: AgentCaller = {
    credential: credentialOf(ctx),
    protocol: "agent-protocol",
    ipAddress: ctx.ip,
    requestId: ctx.state.requestId,
  };
  const tenant = await runCommand<{ id: string }>(services, caller, commands.getTenant, {});
  return { ...caller, tenantId: tenant.id };
}

async function findTask(
  store: AgentTaskStore,
  caller: ApCaller,
  ctx: HttpContext,
): Promise<StoredTask> {
  const taskId = paramOf(ctx, "taskId");
  const task = await store.get(caller.tenantId, taskId);
  if (!task) throw errors.notFound("task", taskId);
  return task;
}

function paramOf(ctx: HttpContext, name: string): string {
  return (ctx.params as Record<string, string>)[name] ?? "";
}

/** Errors in the protocol's form: `{ message }`, with the engine's code beside it. */
function answerInProtocolForm(handle: (ctx: HttpContext) => Promise<void>) {
  return async (ctx: HttpContext, _next: Next) => {
    try {
      await handle(ctx);
    } catch (err) {
      if (!isAppError(err)) throw err;
      ctx.status = httpStatusOf[err.code];
      ctx.body = protocolError(err);
    }
  };
}

function protocolError(err: AppError) {
  const error: Record<string, unknown> = { code: err.code, message: err.message };
  if (err.details !== undefined) error.details = err.details;
  return { message: err.message, error };
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw errors.invalidInput(
    parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join("."),
      message: issue.message,
    })),
  );
}

function pageOf<T>(all: T[], page: { current_page: number; page_size: number }) {
  const start = (page.current_page - 1) * page.page_size;
  return {
    items: all.slice(start, start + page.page_size),
    pagination: paginationOf(all.length, page),
  };
}

function paginationOf(total: number, page: { current_page: number; page_size: number }) {
  return {
    total_items: total,
    total_pages: Math.ceil(total / page.page_size),
    current_page: page.current_page,
    page_size: page.page_size,
  };
}

function viewTask(task: StoredTask, artifacts: ArtifactInfo[]) {
  return {
    task_id: task.id,
    input: task.document.input,
    additional_input: task.document.additionalInput,
    artifacts: artifacts.map(viewArtifact),
  };
}

function viewStep(task: StoredTask, step: StoredStep, artifacts: ArtifactInfo[]) {
  return {
    task_id: task.id,
    step_id: step.id,
    name: step.name,
    status: "completed",
    input: step.input,
    additional_input: step.additionalInput,
    output: step.output,
    additional_output: step.additionalOutput,
    artifacts: artifacts.filter((a) => step.artifactIds.includes(a.id)).map(viewArtifact),
    is_last: step.isLast,
  };
}

function viewArtifact(artifact: ArtifactInfo) {
  return {
    artifact_id: artifact.id,
    agent_created: artifact.agentCreated,
    file_name: artifact.fileName,
    relative_path: artifact.relativePath,
  };
}

/** A file name without folders or characters that would break a header. */
function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  const clean = base.replace(/[^\w.\- ]/g, "_").slice(0, 200);
  return clean === "" || clean === "." || clean === ".." ? "upload" : clean;
}
