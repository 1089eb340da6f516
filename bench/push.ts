/**
 * Live availability push, from commit to the last of N subscribers notified, over Socket.IO:
 * - push-floor-Nk: a bare Socket.IO server (in-memory adapter, no recovery) broadcasting the
 *   engine's message shape to N websocket clients, all in one room.
 * - push-fanout-Nk-one-node: the engine in this process; each round books a distinct slot over REST
 *   and waits until every subscriber has the new version. Target ≤ 1.5× the floor.
 * - push-fanout-Nk-three-nodes: three engine processes on one MySQL and one Redis (Redis Streams
 *   adapter), the clients spread evenly over them, bookings through node 0. Target ≤ 2×.
 * A round's figure is max over the clients of (receipt − `at`), `at` being the server's clock
 * just before the broadcast. The clients run in processes of their own
 * (bench/load/push-clients.ts), one set for the engine and one for the floor, and the rounds
 * alternate between the two, so that both see the same load on this shared machine.
 */
import { execFileSync, fork, type ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { Server } from "socket.io";
import type { DatabaseTarget } from "../src/config.js";
import { bookingBody } from "../test/support/booking-fixtures.js";
import { shardOf } from "../actors/index.js";
import {
  clusterShards,
  startCluster,
  stopCluster,
  waitForStableCluster,
  type ClusterNode,
} from "../test/support/cluster.js";
import { dialectsUnderTest } from "../test/support/databases.js";
import {
  callApi,
  signUpTenant,
  startTestEngine,
  testAdminToken,
  type TestEngine,
} from "../test/support/engine.js";
import { pingRedis } from "../test/support/services.js";
import type { BenchResult } from "./measure.js";
import type { ClientCommand, ClientReport, ConnectCommand } from "./load/push-clients.js";

const day = 86_400_000;
const slotMs = 30 * 60_000;
/** Clients opened at once, so that thousands do not storm the server together. */
const connectBatch = 200;
const clientsFile = fileURLToPath(new URL("./load/push-clients.ts", import.meta.url));

interface Plan {
  counts: number[];
  rounds: number;
  warmup: number;
}

/** Latencies of the measured rounds, in ms, sorted. */
type Samples = number[];

/** The engine's and the floor's rounds, measured alternately. */
interface Paired {
  engine: Samples;
  floor: Samples;
}

/** Something that broadcasts to N clients when triggered. */
interface Subject {
  label: string;
  connect: Omit<ConnectCommand, "type" | "batch">;
  /** Causes one broadcast; the clients tell when all of them have it. */
  trigger(round: number): Promise<void>;
  /** How long each broadcast took on the server, when it runs in this process. */
  fanOuts?: number[];
}

/** Runs the push benchmarks; `--quick` measures N = 1,000 only, with fewer rounds. */
export async function benchPush(quick: boolean, redisUrl: string | undefined) {
  const plan: Plan = quick
    ? { counts: [1000], rounds: 10, warmup: 2 }
    : { counts: [1000, 5000], rounds: 20, warmup: 3 };
  plan.counts = fitToDescriptors(plan.counts);

  const oneNode = await onOneNode(plan);
  const threeNodes = await onThreeNodes(plan, redisUrl);

  const results: BenchResult[] = [];
  for (const count of plan.counts) {
    const one = oneNode.samples.get(count)!;
    results.push(floorRow(count, one.floor));
    results.push(row(`push-fanout-${kilo(count)}-one-node`, one, 1.5, oneNode.label));
  }
  for (const count of plan.counts) {
    const three = threeNodes?.get(count);
    if (three) {
      const label = "MySQL, Redis Streams adapter";
      results.push(row(`push-fanout-${kilo(count)}-three-nodes`, three, 2, label));
    }
  }
  return results;
}

/**
 * Lowers N when this process cannot hold the sockets of the engine and the floor together
 * (2 N and some), a documented fallback.
 */
function fitToDescriptors(counts: number[]): number[] {
  let limit = Infinity;
  try {
    const shown = execFileSync("sh", ["-c", "ulimit -n"]).toString().trim();
    if (shown !== "unlimited") limit = Number(shown);
  } catch {
    return counts;
  }
  const room = Math.floor((limit - 500) / 2);
  return counts.map((count) => {
    if (count <= room) return count;
    const fitted = Math.max(100, Math.floor(room / 100) * 100);
    process.stderr.write(
      `bench/push: ulimit -n is ${limit}, too low for 2 × ${count} sockets; measuring ${fitted}\n`,
    );
    return fitted;
  });
}

const floorIds = { calendar: `cal_${"0".repeat(26)}`, service: `svc_${"0".repeat(26)}` };

/** The floor: a bare Socket.IO server broadcasting the engine's push shape to one room. */
async function startFloor(count: number) {
  const http = createServer();
  const io = new Server(http);
  io.on("connection", (socket) => void socket.join("viewers"));
  http.listen(0, "127.0.0.1");
  await new Promise((resolve) => http.once("listening", resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const start = Date.now() + 2 * day;
  const fanOuts: number[] = [];
  const subject: Subject = {
    label: `floor, ${count}`,
    connect: { urls: [url], count, event: "availability" },
    fanOuts,
    async trigger(round) {
      // What the engine sends after one booking: ids of its length, the slot the booking took.
      const slots = [
        {
          start: new Date(start + round * slotMs).toISOString(),
          end: new Date(start + (round + 1) * slotMs).toISOString(),
          remaining: 0,
        },
      ];
      const ids = { calendarId: floorIds.calendar, serviceId: floorIds.service };
      const before = performance.now();
      io.to("viewers").emit("availability", { ...ids, version: round + 1, slots, at: Date.now() });
      fanOuts.push(performance.now() - before);
    },
  };
  return {
    subject,
    async stop() {
      io.disconnectSockets(true);
      await io.close();
    },
  };
}

/** The engine and the floor, N clients each, their rounds alternating. */
async function againstFloor(plan: Plan, count: number, engine: Subject): Promise<Paired> {
  const floor = await startFloor(count);
  try {
    const [engineSamples, floorSamples] = await measureAlternately(plan, [engine, floor.subject]);
    return { engine: engineSamples!, floor: floorSamples! };
  } finally {
    await floor.stop();
  }
}

/** The engine in this process: MySQL when DATABASE_URL points at it, SQLite otherwise. */
async function onOneNode(plan: Plan) {
  const dialects = dialectsUnderTest();
  const dialect = dialects.find((d) => d.name === "mysql") ?? dialects[0]!;
  const scratch = await dialect.create("bench_push");
  const engine = await startTestEngine(scratch.target);
  const samples = new Map<number, Paired>();
  // Listeners placed before and after the engine's own time its synchronous broadcast.
  const { feed } = engine.engine.services;
  const fanOuts: number[] = [];
  let before = 0;
  const start = () => void (before = performance.now());
  const end = () => void fanOuts.push(performance.now() - before);
  feed.prependListener("availability", start);
  feed.on("availability", end);
  try {
    const offer = await prepareOffer(engine.url, [engine.url], "bench-push");
    for (const count of plan.counts) {
      fanOuts.length = 0;
      const subject = { ...engineSubject(offer, count, "one node"), fanOuts };
      samples.set(count, await againstFloor(plan, count, subject));
    }
  } finally {
    feed.off("availability", start);
    feed.off("availability", end);
    await engine.stop();
    await scratch.drop();
  }
  return { samples, label: dialect.name === "mysql" ? "MySQL" : "SQLite" };
}

/** Three engine processes; needs MySQL and Redis, skipped with a reason otherwise. */
async function onThreeNodes(plan: Plan, redisUrl: string | undefined) {
  const mysql = dialectsUnderTest().find((d) => d.name === "mysql");
  const missing = !mysql
    ? "DATABASE_URL does not point at MySQL"
    : !redisUrl
      ? "REDIS_URL is not set"
      : await pingRedis(redisUrl).then(
          () => undefined,
          (error: Error) => `Redis at ${redisUrl} does not answer (${error.message})`,
        );
  if (!mysql || !redisUrl || missing) {
    process.stderr.write(`bench/push: three-node rows skipped, ${missing}\n`);
    return undefined;
  }
  const scratch = await mysql.create("bench_push_cluster");
  let nodes: ClusterNode[] = [];
  const samples = new Map<number, Paired>();
  try {
    const databaseUrl = (scratch.target as Extract<DatabaseTarget, { dialect: "mysql" }>).url;
    progress("starting three engine processes");
    nodes = await startCluster(3, { databaseUrl, redisUrl });
    const owners = await waitForStableCluster(nodes, 30_000);
    const urls = nodes.map((node) => node.url);
    const offer = await prepareOffer(urls[0]!, urls, "bench-push-cluster");
    const owner = owners.get(shardOf(`calendar:${offer.calendarId}`, clusterShards));
    progress(`the calendar's actor is on node ${nodes.findIndex((n) => n.nodeId === owner)}`);
    for (const count of plan.counts) {
      const subject = engineSubject(offer, count, "three nodes");
      samples.set(count, await againstFloor(plan, count, subject));
    }
  } finally {
    await stopNodes(nodes);
    await scratch.drop();
  }
  return samples;
}

/** Stops the nodes, killing any that has not exited within 20 s (a stuck loop ignores TERM). */
async function stopNodes(nodes: ClusterNode[]): Promise<void> {
  const stopped = await Promise.race([stopCluster(nodes).then(() => true), sleep(20_000)]);
  if (stopped) return;
  for (const node of nodes) {
    if (node.process.child.exitCode === null && node.process.child.signalCode === null) {
      process.stderr.write(`bench/push: ${node.nodeId} did not stop; killing it\n`);
      node.process.child.kill("SIGKILL");
    }
  }
}

interface Offer {
  /** Where bookings are made. */
  apiUrl: string;
  /** Where subscribers connect, spread evenly. */
  socketUrls: string[];
  tenantCode: string;
  secretKey: string;
  publishableKey: string;
  calendarId: string;
  serviceId: string;
  firstSlot: number;
  /** Slots booked so far; every round books the next. */
  booked: number;
}

/** A tenant on the enterprise plan, a calendar open all day in 30-minute slots, one service. */
async function prepareOffer(apiUrl: string, socketUrls: string[], code: string): Promise<Offer> {
  const api = (method: string, path: string, request?: object) =>
    callApi(apiUrl, method, path, request);
  const tenant = await signUpTenant({ api } as TestEngine, code);
  const plan = await api("PATCH", `/api/v1/admin/tenants/${tenant.code}`, {
    token: testAdminToken,
    body: { planSlug: "enterprise" },
  });
  if (plan.status !== 200) throw new Error(`plan change: ${JSON.stringify(plan.body)}`);
  const allDay = Object.fromEntries(
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => [d, [["00:00", "24:00"]]]),
  );
  const calendar = await api("POST", "/api/v1/calendars", {
    token: tenant.secretKey,
    body: { name: "Live", timezone: "UTC", weeklyHours: allDay, slotIntervalMinutes: 30 },
  });
  if (calendar.status !== 201) throw new Error(`calendar: ${JSON.stringify(calendar.body)}`);
  const service = await api("POST", "/api/v1/services", {
    token: tenant.secretKey,
    body: { calendarIds: [calendar.body.id], name: "Visit", durationMinutes: 30 },
  });
  if (service.status !== 201) throw new Error(`service: ${JSON.stringify(service.body)}`);
  return {
    apiUrl,
    socketUrls,
    tenantCode: tenant.code,
    secretKey: tenant.secretKey,
    publishableKey: tenant.publishableKey,
    calendarId: calendar.body.id,
    serviceId: service.body.id,
    firstSlot: Math.ceil((Date.now() + 2 * day) / day) * day,
    booked: 0,
  };
}

/** N subscribers of the offer, spread over its socket URLs; each round books the next slot. */
function engineSubject(offer: Offer, count: number, label: string): Subject {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    label: `${label}, ${count}`,
    connect: {
      urls: offer.socketUrls,
      count,
      event: "availability",
      auth: { tenant: offer.tenantCode, apiKey: offer.publishableKey },
      // A short window keeps the subscribe answers small; pushes do not depend on it.
      subscribe: {
        calendarId: offer.calendarId,
        serviceId: offer.serviceId,
        from: iso(offer.firstSlot),
        to: iso(offer.firstSlot + 4 * slotMs),
      },
    },
    async trigger() {
      const n = offer.booked++;
      const start = iso(offer.firstSlot + n * slotMs);
      const answer = await callApi(offer.apiUrl, "POST", "/api/v1/bookings", {
        token: offer.secretKey,
        body: bookingBody(offer.calendarId, offer.serviceId, start, n),
      });
      if (answer.status !== 201) throw new Error(`booking ${n}: ${JSON.stringify(answer.body)}`);
    },
  };
}

/**
 * Opens each subject's clients in a process of their own, then runs warm-up and measured
 * rounds, one subject after the other in every round; a round ends when all of its clients
 * have the broadcast. Answers each subject's latencies, sorted.
 */
async function measureAlternately(plan: Plan, subjects: Subject[]): Promise<Samples[]> {
  const clients = subjects.map(() => new ClientProcess());
  try {
    for (const [i, subject] of subjects.entries()) {
      clients[i]!.send({ type: "connect", batch: connectBatch, ...subject.connect });
      const ready = await clients[i]!.next("ready", 300_000);
      if (ready.connected !== subject.connect.count) {
        throw new Error(`${subject.label}: only ${ready.connected} clients connected`);
      }
      progress(`${subject.label}: clients connected in ${ready.seconds.toFixed(1)} s`);
    }
    await sleep(500);
    const rounds = subjects.map((subject) => ({
      last: [] as number[],
      first: [] as number[],
      byUrl: subject.connect.urls.map(() => [] as number[]),
    }));
    for (const subject of subjects) if (subject.fanOuts) subject.fanOuts.length = 0;
    for (let round = 0; round < plan.warmup + plan.rounds; round++) {
      for (const [i, subject] of subjects.entries()) {
        const done = clients[i]!.next("round", 30_000);
        done.catch(() => undefined); // awaited below, unless the trigger fails first
        await subject.trigger(round);
        const { maxMs, firstMs, maxMsByUrl } = await done;
        if (round >= plan.warmup) {
          rounds[i]!.last.push(maxMs);
          rounds[i]!.first.push(firstMs);
          maxMsByUrl.forEach((ms, url) => rounds[i]!.byUrl[url]!.push(ms));
        }
        await sleep(100);
      }
    }
    return subjects.map((subject, i) => {
      const last = sorted(rounds[i]!.last);
      const fanOut = subject.fanOuts?.slice(plan.warmup);
      const byUrl = rounds[i]!.byUrl.map((list) => median(sorted(list)));
      progress(
        `${subject.label}: last client ${median(last)} ms median (p95 ${p95(last)}), ` +
          `first ${median(sorted(rounds[i]!.first))} ms` +
          (byUrl.length > 1 ? `, last per node ${byUrl.join(" / ")} ms` : "") +
          (fanOut?.length ? `, server broadcast ${tenth(median(sorted(fanOut)))} ms` : ""),
      );
      return last;
    });
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
}

/** The client process and the reports it sent that nobody has taken yet. */
class ClientProcess {
  private readonly child: ChildProcess;
  private readonly reports: ClientReport[] = [];
  private wake: (() => void) | undefined;
  private exited = false;

  constructor() {
    this.child = fork(clientsFile, [], {
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.child.on("message", (report: ClientReport) => {
      this.reports.push(report);
      this.wake?.();
    });
    this.child.once("exit", () => {
      this.exited = true;
      this.wake?.();
    });
  }

  send(command: ClientCommand): void {
    this.child.send(command);
  }

  /** The next report of `type`; a failure report or a timeout rejects. */
  async next<T extends ClientReport["type"]>(
    type: T,
    timeoutMs: number,
  ): Promise<Extract<ClientReport, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.reports.findIndex((r) => r.type === type || r.type === "failed");
      if (index >= 0) {
        const [report] = this.reports.splice(index, 1);
        if (report!.type === "failed") throw new Error(`push clients: ${report!.message}`);
        return report as Extract<ClientReport, { type: T }>;
      }
      if (this.exited) throw new Error("the push client process exited");
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`push clients: no ${type} report within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.send({ type: "close" });
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

function progress(line: string): void {
  process.stderr.write(`bench/push: ${line}\n`);
}

function sleep(ms: number): Promise<false> {
  return new Promise((resolve) => setTimeout(() => resolve(false), ms));
}

function median(sorted: Samples): number {
  const middle = sorted.length / 2;
  return sorted.length % 2
    ? sorted[Math.floor(middle)]!
    : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function p95(sorted: Samples): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))]!;
}

const tenth = (n: number) => Math.round(n * 10) / 10;

function sorted(list: number[]): number[] {
  return list.sort((a, b) => a - b);
}

function floorRow(count: number, samples: Samples): BenchResult {
  return {
    name: `push-floor-${kilo(count)}`,
    value: tenth(median(samples)),
    unit: "ms median",
    baseline: null,
    ratio: null,
    target: `informational (bare Socket.IO broadcast, p95 ${tenth(p95(samples))} ms)`,
    met: null,
  };
}

/** Lower is better: the ratio is the engine's median over the floor's of the same rounds. */
function row(name: string, paired: Paired, limit: number, label: string): BenchResult {
  const value = median(paired.engine);
  const baseline = median(paired.floor);
  const ratio = value / baseline;
  const tails = `p95 ${tenth(p95(paired.engine))} vs ${tenth(p95(paired.floor))} ms`;
  return {
    name,
    value: tenth(value),
    unit: "ms median",
    baseline: tenth(baseline),
    ratio: Math.round(ratio * 100) / 100,
    target: `≤ ${limit}× floor (${tails}, ${paired.engine.length} rounds, ${label})`,
    met: ratio <= limit,
  };
}

/** 1,000 as `1k`, as the figures are named. */
function kilo(count: number): string {
  return count % 1000 === 0 ? `${count / 1000}k` : String(count);
}
