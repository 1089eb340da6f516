import { spawn, type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** An engine running as its own process, as `npm start` runs it. */
export interface EngineProcess {
  child: ChildProcess;
  url: string;
  /** Everything printed on stdout until now. */
  stdout(): string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** A minimal environment: the PATH and whatever the test sets, nothing of this shell's. */
export function bareEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...extra };
}

/** Runs `scripts/start.mjs` (build when stale, then start) in `cwd` and waits for its banner. */
export function startEngineProcess(cwd: string, env: NodeJS.ProcessEnv, args: string[] = []) {
  const { child, output } = spawnStart(cwd, env, args);
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );

  return new Promise<EngineProcess>((resolve, reject) => {
    const timer = setTimeout(() => fail("no banner within 120 s"), 120_000);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${why}\nstdout:\n${output.stdout}\nstderr:\n${output.stderr}`));
    };
    const exitedEarly = (code: number | null) =>
      fail(`engine exited with ${code} before listening`);
    child.once("exit", exitedEarly);
    child.stdout.on("data", () => {
      const match = /VBWD is listening on (http:\/\/\S+)/.exec(output.stdout);
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.off("exit", exitedEarly);
      resolve({
        child,
        url: match[1],
        stdout: () => output.stdout,
        stop: async (signal = "SIGTERM") => {
          child.kill(signal);
          return exited;
        },
      });
    });
  });
}

/** Runs `scripts/start.mjs` to completion (for --migrate-only or a refused start). */
export function runEngineCommand(cwd: string, env: NodeJS.ProcessEnv, args: string[] = []) {
  const { child, output } = spawnStart(cwd, env, args);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.once("close", (code) => resolve({ code, ...output }));
  });
}

function spawnStart(cwd: string, env: NodeJS.ProcessEnv, args: string[]) {
  const child = spawn(process.execPath, [join(repoRoot, "scripts", "start.mjs"), ...args], {
    cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = { stdout: "", stderr: "" };
  child.stdout.on("data", (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output.stderr += chunk.toString()));
  return { child, output };
}
