import { z } from "zod";
import { askActor } from "./actor-errors.js";
import { defineCommand } from "./command.js";

/** What this node sees of the actor cluster, with its counters. */
export const adminClusterView = defineCommand({
  name: "admin.cluster.view",
  summary: "Show this node's view of the cluster: members, shards it owns, actor counters.",
  access: { kind: "platform" },
  input: z.object({}),
  async run({ services }) {
    const { actors } = services;
    return { ...actors.view(), metrics: actors.metrics() };
  },
});

/** Sends a message to the cluster's self-test actor, wherever it runs. */
export const adminClusterProbe = defineCommand({
  name: "admin.cluster.probe",
  summary: "Ask the self-test actor probe:<key>: ping it, make a fenced write, or set a timer.",
  access: { kind: "platform" },
  input: z.discriminatedUnion("op", [
    z.object({ op: z.literal("ping"), key: probeKey() }),
    z.object({
      op: z.literal("write"),
      key: probeKey(),
      token: z.string().min(1).max(100),
      delayMs: z.number().int().min(0).max(30_000).optional(),
    }),
    z.object({
      op: z.literal("timer"),
      key: probeKey(),
      timerId: z.string().regex(/^[A-Za-z0-9_-]{1,60}$/),
      inMs: z.number().int().min(0).max(86_400_000),
    }),
  ]),
  async run({ services }, input) {
    const { key, ...message } = input;
    return askActor(services.actors.ask(`probe:${key}`, message, { timeoutMs: 10_000 }));
  },
});

function probeKey() {
  return z.string().regex(/^[A-Za-z0-9_-]{1,80}$/, "use 1–80 letters, digits, - or _");
}
