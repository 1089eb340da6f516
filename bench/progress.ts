import { Presets, SingleBar } from "cli-progress";

/**
 * One progress bar for a whole benchmark run, on stderr so that stdout keeps the table and
 * the `--json` line. Each group announces its steps with `plan`, then names each as it
 * starts. Without a terminal (CI) every step is one plain line instead.
 */
class RunProgress {
  private bar: SingleBar | undefined;
  private total = 0;
  private done = 0;
  private started = false;

  /** Adds `steps` to the run's total. */
  plan(steps: number): void {
    this.total += steps;
    this.bar?.setTotal(this.total);
  }

  /** Marks the previous step done and names the one starting. */
  step(name: string): void {
    if (this.started) this.done++;
    this.started = true;
    if (!process.stderr.isTTY) {
      process.stderr.write(`bench: [${this.done + 1}/${this.total}] ${name}\n`);
      return;
    }
    if (!this.bar) {
      const format = " {bar} {value}/{total} | {step}";
      this.bar = new SingleBar(
        { format, hideCursor: true, stream: process.stderr },
        Presets.shades_classic,
      );
      this.bar.start(this.total, 0, { step: name });
      return;
    }
    this.bar.update(this.done, { step: name });
  }

  /** Ends the bar. */
  finish(): void {
    this.bar?.update(this.total, { step: "done" });
    this.bar?.stop();
  }
}

/** The run's progress, shared by every benchmark module. */
export const progress = new RunProgress();
