/** A progress bar on stderr, only when stderr is a terminal (logs stay clean). */
import cliProgress from "cli-progress";

export interface Progress {
  update: (done: number, total: number) => void;
  stop: () => void;
}

export function progressReporter(stream: NodeJS.WritableStream & { isTTY?: boolean }, unit = "rows"): Progress | undefined {
  if (!stream.isTTY) return undefined;
  let bar: cliProgress.SingleBar | undefined;
  let stopped = false;
  return {
    update(done, total) {
      if (stopped) return;
      if (!bar) {
        bar = new cliProgress.SingleBar(
          { stream, format: `fake-quantizing [{bar}] {percentage}% | {value}/{total} ${unit} | eta {eta}s`, hideCursor: true, clearOnComplete: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, 0);
      }
      bar.update(done);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar?.stop();
    },
  };
}
