/**
 * Starts a worker thread on a module that sits beside the caller. From the built package the entry
 * is plain JavaScript. Under tsx (tests, development) it is TypeScript, and Node 20 does not apply
 * `--import tsx` to a worker's entry, so a small bootstrap registers tsx's loader inside the worker
 * first.
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** `callerUrl` is the caller's `import.meta.url`; `name` the entry's file name without extension. */
export function startModuleWorker(callerUrl: string, name: string): Worker {
  const ext = extname(fileURLToPath(callerUrl));
  const entry = new URL(`./${name}${ext}`, callerUrl);
  if (ext !== '.ts') return new Worker(entry);
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((m) => m.register()).then(() => import(${JSON.stringify(entry.href)}));`;
  return new Worker(bootstrap, { eval: true });
}
