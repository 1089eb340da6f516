import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import type { LoggingLevel } from "@modelcontextprotocol/sdk/types.js";

/**
 * What an MCP session is, wherever its requests land: the endpoint it was opened on, a
 * fingerprint of the credential that opened it, and what the client asked of it since. The
 * server and transport are made afresh for each request, so any node serves any session.
 */
export interface McpSessionRecord {
  /** The endpoint it was opened on (`/mcp` or `/mcp/t/<code>`); it answers nowhere else. */
  endpoint: string;
  /** SHA-256 of the credential that opened it (the credential itself is never kept). */
  credentialHash: string;
  logLevel: LoggingLevel;
}

/** How long sessions live. */
export interface McpSessionLimits {
  /** A session unused this long is gone (default 30 minutes). */
  idleMs: number;
  /** Most open sessions a node keeps in memory without Redis; the least recently used go. */
  max: number;
}

const defaultLimits: McpSessionLimits = { idleMs: 30 * 60_000, max: 5000 };

/** Where sessions are kept: in Redis for every node, or in this node's memory. */
export interface McpSessionStore {
  /** The session with this id on this endpoint, its idle time restarted. */
  find(id: string, endpoint: string): Promise<McpSessionRecord | undefined>;
  add(id: string, session: McpSessionRecord): Promise<void>;
  update(id: string, session: McpSessionRecord): Promise<void>;
  forget(id: string): Promise<void>;
}

/** The fingerprint of a credential (or of none) a session is bound to. */
export function credentialHashOf(credential: string | undefined): string {
  return createHash("sha256")
    .update(credential ?? "")
    .digest("base64url");
}

/** The session store of an engine: Redis when it has one, else memory. */
export function mcpSessionStore(
  redis: Redis | undefined,
  keyPrefix: string,
  limits: Partial<McpSessionLimits> = {},
): McpSessionStore {
  const all = { ...defaultLimits, ...limits };
  return redis ? new RedisSessions(redis, keyPrefix, all) : new MemorySessions(all);
}

/**
 * Sessions in Redis under `<prefix><id>`, each expiring once idle for `idleMs`. Uses the
 * engine's client, which fails fast while Redis is away: the caller answers 503 then.
 */
class RedisSessions implements McpSessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly limits: McpSessionLimits,
  ) {}

  async find(id: string, endpoint: string): Promise<McpSessionRecord | undefined> {
    const key = this.prefix + id;
    const replies = await this.redis.multi().get(key).pexpire(key, this.limits.idleMs).exec();
    const text = replies?.[0]?.[1];
    if (typeof text !== "string") return undefined;
    const session = parseRecord(text);
    return session?.endpoint === endpoint ? session : undefined;
  }

  async add(id: string, session: McpSessionRecord): Promise<void> {
    await this.redis.set(this.prefix + id, JSON.stringify(session), "PX", this.limits.idleMs);
  }

  async update(id: string, session: McpSessionRecord): Promise<void> {
    // Only a session that still exists is written: an ended one stays ended.
    await this.redis.set(this.prefix + id, JSON.stringify(session), "PX", this.limits.idleMs, "XX");
  }

  async forget(id: string): Promise<void> {
    await this.redis.del(this.prefix + id);
  }
}

/** Sessions in this node's memory, for an engine without Redis. */
class MemorySessions implements McpSessionStore {
  private readonly sessions = new Map<string, { record: McpSessionRecord; lastUsedAt: number }>();

  constructor(private readonly limits: McpSessionLimits) {}

  async find(id: string, endpoint: string): Promise<McpSessionRecord | undefined> {
    const session = this.sessions.get(id);
    if (!session || session.record.endpoint !== endpoint) return undefined;
    if (session.lastUsedAt < Date.now() - this.limits.idleMs) {
      this.sessions.delete(id);
      return undefined;
    }
    // Most recently used last, so the oldest go first past the bound.
    this.sessions.delete(id);
    this.sessions.set(id, { ...session, lastUsedAt: Date.now() });
    return { ...session.record };
  }

  async add(id: string, record: McpSessionRecord): Promise<void> {
    this.closeIdle();
    while (this.sessions.size >= this.limits.max) {
      const oldest = this.sessions.keys().next();
      if (oldest.done) break;
      this.sessions.delete(oldest.value);
    }
    this.sessions.set(id, { record: { ...record }, lastUsedAt: Date.now() });
  }

  async update(id: string, record: McpSessionRecord): Promise<void> {
    const session = this.sessions.get(id);
    if (session) session.record = { ...record };
  }

  async forget(id: string): Promise<void> {
    this.sessions.delete(id);
  }

  private closeIdle(): void {
    const cutoff = Date.now() - this.limits.idleMs;
    for (const [id, session] of this.sessions) {
      if (session.lastUsedAt < cutoff) this.sessions.delete(id);
    }
  }
}

function parseRecord(text: string): McpSessionRecord | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<McpSessionRecord>;
    if (typeof parsed.endpoint !== "string" || typeof parsed.credentialHash !== "string") {
      return undefined;
    }
    return {
      endpoint: parsed.endpoint,
      credentialHash: parsed.credentialHash,
      logLevel: parsed.logLevel ?? "info",
    };
  } catch {
    return undefined;
  }
}
