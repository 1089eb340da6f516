import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { McpCaller } from "./mcp-caller.js";

/** One MCP session: its transport, its server and who it acts for. */
export interface McpSession {
  transport: StreamableHTTPServerTransport;
  server: McpServer;
  caller: McpCaller;
  /** The endpoint it was opened on (`/mcp` or `/mcp/t/<code>`); it answers nowhere else. */
  endpoint: string;
  lastUsedAt: number;
}

/** How long sessions live in memory. */
export interface McpSessionLimits {
  /** A session unused this long is closed (default 30 minutes). */
  idleMs: number;
  /** Most open sessions on this node; the least recently used is closed first (default 5000). */
  max: number;
}

const defaultLimits: McpSessionLimits = { idleMs: 30 * 60_000, max: 5000 };

/**
 * MCP sessions kept in this node's memory. A client whose requests reach another node gets
 * 404 for its session id and, as the protocol says, starts a new session there.
 */
export class McpSessions {
  private readonly sessions = new Map<string, McpSession>();
  private readonly limits: McpSessionLimits;

  constructor(limits: Partial<McpSessionLimits> = {}) {
    this.limits = { ...defaultLimits, ...limits };
  }

  /** The open session with this id on this endpoint, marked as used. */
  find(id: string, endpoint: string): McpSession | undefined {
    const session = this.sessions.get(id);
    if (!session || session.endpoint !== endpoint) return undefined;
    session.lastUsedAt = Date.now();
    return session;
  }

  /** Keeps a new session, closing idle ones and the oldest past the limit. */
  add(id: string, session: McpSession): void {
    this.closeIdle();
    while (this.sessions.size >= this.limits.max) {
      const oldest = this.sessions.keys().next();
      if (oldest.done) break;
      this.close(oldest.value);
    }
    this.sessions.set(id, session);
  }

  /** Forgets a session the client ended (its transport is already closing). */
  forget(id: string): void {
    this.sessions.delete(id);
  }

  /** How many sessions are open. */
  get size(): number {
    return this.sessions.size;
  }

  private closeIdle(): void {
    const cutoff = Date.now() - this.limits.idleMs;
    for (const [id, session] of this.sessions) {
      if (session.lastUsedAt < cutoff) this.close(id);
    }
  }

  private close(id: string): void {
    const session = this.sessions.get(id);
    this.sessions.delete(id);
    void session?.server.close().catch(() => undefined);
  }
}
