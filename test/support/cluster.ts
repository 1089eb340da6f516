import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { callApi, testAdminToken } from "./engine.js";
import { bareEnv, repoRoot, startEngineProcess, type EngineProcess } from "./engine-process.js";

/** Shard count the cluster tests run with: small, so views are quick to compare. */
export const clusterShards = 64;

/** One engine process of a test cluster. */
export interface ClusterNode {
  nodeId: string;
  process: EngineProcess;
  url: string;
}

/** What a node reports of the cluster. */
export interface NodeView {
  nodeId: string;
  members: { nodeId: string }[];
  ownedShards: number[];
  metrics: Record<string, number>;
}

/** How the engines of a test cluster are started. */
export interface ClusterOptions {
  databaseUrl: string;
  redisUrl: string;
  leaseTtlMs?: number;
  /** More environment for every node. */
  env?: Record<string, string>;
}

let built = false;

/** Compiles once, so that several engines starting together do not all build. */
export function buildOnce(): void {
  if (built) return;
  execFileSync(process.execPath, [join(repoRoot, "scripts", "start.mjs"), "--build-only"], {
    stdio: "ignore",
  });
  built = true;
}

/** Starts `count` engines as separate processes sharing one MySQL database and one Redis. */
export async function startCluster(
  count: number,
  options: ClusterOptions & { name?: string },
): Promise<ClusterNode[]> {
  buildOnce();
  const name = options.name ?? `t${Math.random().toString(36).slice(2, 10)}`;
  const starts = Array.from({ length: count }, (_, i) => startNode(`${name}-n${i}`, name, options));
  return Promise.all(starts);
}

/** The cluster name a node was started with (its node id is `<cluster>-n<i>`). */
export function clusterNameOf(node: ClusterNode): string {
  return node.nodeId.replace(/-n\d+$/, "");
}

/** Starts one more engine of a cluster. */
export async function startNode(
  nodeId: string,
  clusterName: string,
  options: ClusterOptions,
): Promise<ClusterNode> {
  const env = bareEnv({
    PORT: "0",
    LOG_LEVEL: process.env.CLUSTER_LOG_LEVEL ?? "warn",
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    NODE_ID: nodeId,
    CLUSTER_NAME: clusterName,
    CLUSTER_TOKEN: "test-cluster-token-0123456789abcdef",
    PLATFORM_ADMIN_TOKEN: testAdminToken,
    ACTOR_SHARDS: String(clusterShards),
    ACTOR_LEASE_TTL_MS: String(options.leaseTtlMs ?? 2000),
    DEMO_TENANT: "false",
    SHUTDOWN_GRACE_MS: "5000",
    // The suites fire hundreds of requests a minute from one address at one starter tenant.
    RATE_LIMIT_SCALE: "1000",
    ...options.env,
  });
  const engine = await startEngineProcess(mkdtempSync(join(tmpdir(), "vbwd-node-")), env);
  return { nodeId, process: engine, url: engine.url.replace("localhost", "127.0.0.1") };
}

/** The node's view of the cluster, from the admin API. */
export async function viewOf(node: ClusterNode): Promise<NodeView> {
  const answer = await callApi(node.url, "GET", "/api/v1/admin/cluster", { token: testAdminToken });
  if (answer.status !== 200) throw new Error(`view of ${node.nodeId}: ${answer.status}`);
  return answer.body as NodeView;
}

/** Asks the self-test actor `probe:<key>` through one node's admin API. */
export function probe(node: ClusterNode, body: Record<string, unknown>) {
  return callApi(node.url, "POST", "/api/v1/admin/cluster/probe", { token: testAdminToken, body });
}

/**
 * Waits until the nodes' views agree: every shard owned by exactly one of them and each sees
 * all of them as members. Returns the owner of each shard.
 */
export async function waitForStableCluster(nodes: ClusterNode[], timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    const views = await Promise.all(nodes.map(viewOf));
    const owners = new Map<number, string[]>();
    for (const view of views) {
      for (const shard of view.ownedShards)
        owners.set(shard, [...(owners.get(shard) ?? []), view.nodeId]);
    }
    const complete =
      owners.size === clusterShards && [...owners.values()].every((o) => o.length === 1);
    const membersAgree = views.every((view) => view.members.length === nodes.length);
    if (complete && membersAgree)
      return new Map([...owners].map(([shard, [owner]]) => [shard, owner!]));
    last = `${owners.size} shards owned, members ${views.map((v) => v.members.length).join("/")}`;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`cluster did not settle within ${timeoutMs} ms (${last})`);
}

/** Stops every node that is still running. */
export async function stopCluster(nodes: ClusterNode[]): Promise<void> {
  await Promise.all(
    nodes.map(async (node) => {
      if (node.process.child.exitCode === null && node.process.child.signalCode === null) {
        node.process.child.kill("SIGCONT");
        await node.process.stop("SIGTERM");
      }
    }),
  );
}
