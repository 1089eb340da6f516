import autocannon from "autocannon";

/** One benchmark figure with the baseline measured in the same run. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline: number | null;
  ratio: number | null;
  target: string;
  met: boolean | null;
}

/** Load settings: `--quick` shortens every run. */
export interface LoadSettings {
  durationSeconds: number;
  connections: number;
}

/** Requests per second that autocannon sustains against one request shape. */
export async function requestsPerSecond(
  url: string,
  settings: LoadSettings,
  headers: Record<string, string> = {},
): Promise<{ rps: number; p50Ms: number; p99Ms: number; errors: number }> {
  const result = await autocannon({
    url,
    headers,
    connections: settings.connections,
    duration: settings.durationSeconds,
    // The client runs in its own thread so that it does not share the server's event loop.
    workers: 1,
  });
  const failures = result.errors + result.non2xx;
  return {
    rps: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: failures,
  };
}
