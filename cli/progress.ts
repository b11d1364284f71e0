/**
 * A progress bar on stderr: redrawn in place on a terminal (at most every 50 ms), one line per
 * finished phase otherwise, so logs and CI output stay readable.
 *
 * @module
 */
import type { Output } from "./output.ts";

/** Reports the progress of one phase after another. */
export interface Progress {
  /** Starts a phase of `total` steps. */
  start(phase: string, total: number): void;
  /** One more step done. */
  tick(): void;
  /** The phase is over. */
  end(): void;
}

const REDRAW_MS = 50;

/**
 * Makes a progress reporter.
 *
 * @param output where to draw
 */
export function createProgress(output: Output): Progress {
  let phase = "";
  let total = 0;
  let done = 0;
  let started = 0;
  let drawn = 0;
  const draw = () => {
    const width = Math.max(10, Math.min(40, output.columns - phase.length - 30));
    const filled = total === 0 ? width : Math.round((done / total) * width);
    const bar = "█".repeat(filled) + "░".repeat(width - filled);
    output.errRaw(`\r\x1b[2K${phase.padEnd(8)} ${bar} ${done}/${total}`);
    drawn = performance.now();
  };
  return {
    start(name, steps) {
      phase = name;
      total = steps;
      done = 0;
      started = performance.now();
      if (output.errIsTty) draw();
    },
    tick() {
      done++;
      if (output.errIsTty && (performance.now() - drawn >= REDRAW_MS || done === total)) draw();
    },
    end() {
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      if (output.errIsTty) {
        draw();
        output.errRaw(` ${seconds} s\n`);
      } else {
        output.err(`${phase.padEnd(8)} ${done}/${total} in ${seconds} s`);
      }
    },
  };
}
