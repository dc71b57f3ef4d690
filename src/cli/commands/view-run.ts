import { startViewer } from '../../web/index.js';
import { organismGroundTruth } from '../../studies/demo/ground-truth.js';
import { UsageError } from '../errors.js';
import { terminalSafe } from '../terminal-text.js';

export interface ViewFlags {
  port?: number;
}

/** The port tried first when none is given: a fixed one keeps shared links working across restarts. */
export const DEFAULT_VIEW_PORT = 7410;

export async function runViewCommand(paths: string[], flags: ViewFlags): Promise<void> {
  const args = paths.length > 0 ? paths : ['.'];
  const start = (port: number) => startViewer({ paths: args, port, labeller: organismGroundTruth });
  let viewer;
  try {
    viewer = flags.port !== undefined ? await start(flags.port) : await start(DEFAULT_VIEW_PORT).catch((err: Error) => (/in use/.test(err.message) ? start(0) : Promise.reject(err)));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  process.stdout.write(`emlab view: ${viewer.url} (reading ${args.map(terminalSafe).join(', ')}; Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void viewer.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
