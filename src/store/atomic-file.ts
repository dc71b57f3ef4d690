/**
 * Writes a file so that a reader never sees half of it: into a temporary file beside it, then a
 * rename. The temporary name is random and opened exclusively ('wx'), so a file or symlink planted
 * under a predictable name (`<path>.<pid>.tmp`) is never followed or overwritten.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

export async function writeAtomically(path: string, fill: (write: (data: string | Uint8Array) => Promise<void>) => Promise<void>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${randomBytes(8).toString('hex')}.tmp`;
  const handle = await open(tmp, 'wx', 0o644);
  try {
    await fill(async (data) => {
      if (typeof data === 'string') await handle.write(data);
      else await handle.write(data);
    });
    await handle.close();
    await rename(tmp, path);
  } catch (err) {
    await handle.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
}

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await writeAtomically(path, (write) => write(data));
}
