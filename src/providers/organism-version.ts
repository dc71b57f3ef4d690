/**
 * The content version of an organism checkpoint folder: a sha256 over the bytes of every file the
 * loader reads (for an adapter, its base's files too). `organism:base` names a folder, not
 * weights; rebuilding the folder must not let the store hand out the old model's answers, so the
 * cache keys carry this version beside the id.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

// The names the checkpoint code uses (src/organisms/model/checkpoint.ts); repeated here so that
// hashing a folder never loads TensorFlow.js.
const BASE_CONFIG = 'config.json';
const BASE_WEIGHTS = 'model.safetensors';
const ADAPTER_CONFIG = 'adapter.json';
const ADAPTER_WEIGHTS = 'adapter.safetensors';

interface FileHash {
  size: number;
  mtimeMs: number;
  ino: number;
  sha256: string;
}

/**
 * Hashes already computed by this process. A file written again (rename into place, or rewritten
 * in place) changes inode, size or mtime and is hashed again; an unchanged one costs one stat.
 */
const known = new Map<string, FileHash>();

function fileSha256(path: string): string {
  // Stat before reading: if the file is replaced in between, the cached stat is the old one and
  // the next call hashes again, instead of pinning a stale hash to the new file's stat.
  const st = statSync(path);
  const hit = known.get(path);
  if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs && hit.ino === st.ino) return hit.sha256;
  const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
  known.set(path, { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, sha256 });
  return sha256;
}

/** The weights file a config names (`weights.file`), else the default name. */
function weightsFileOf(configPath: string, fallback: string): { name: string; config: Record<string, unknown> } {
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as unknown;
  if (config === null || typeof config !== 'object') throw new Error(`${configPath}: not a JSON object`);
  const file = (config as { weights?: { file?: unknown } }).weights?.file;
  return { name: typeof file === 'string' && file !== '' ? file : fallback, config: config as Record<string, unknown> };
}

function digest(parts: Record<string, string>): string {
  const h = createHash('sha256');
  for (const name of Object.keys(parts).sort()) h.update(`${name}\u0000${parts[name]}\u0000`);
  return h.digest('hex');
}

function baseVersion(dir: string): string {
  const configPath = join(dir, BASE_CONFIG);
  const { name } = weightsFileOf(configPath, BASE_WEIGHTS);
  return digest({ kind: 'organism-base', config: fileSha256(configPath), weights: fileSha256(join(dir, name)) });
}

/**
 * The version of the checkpoint in `dir` (a base, or an adapter whose base is found through the
 * relative path its adapter.json records, as the loader finds it). Throws when a file is missing
 * or unreadable.
 */
export function organismCheckpointVersion(dir: string): string {
  const abs = resolve(dir);
  if (existsSync(join(abs, BASE_CONFIG))) return baseVersion(abs);
  const configPath = join(abs, ADAPTER_CONFIG);
  const { name, config } = weightsFileOf(configPath, ADAPTER_WEIGHTS);
  const parts: Record<string, string> = { kind: 'organism-adapter', config: fileSha256(configPath), weights: fileSha256(join(abs, name)) };
  const basePath = (config['base'] as { path?: unknown } | undefined)?.path;
  // Without a path the loader cannot find the base at all; the base's weights hash in adapter.json
  // (already part of `config`) is then all there is to go on.
  if (typeof basePath === 'string') parts['base'] = baseVersion(resolve(abs, basePath));
  return digest(parts);
}
