/**
 * `emlab run FILE --pin`: downloads every {url} dataset of an experiment file that has no sha256 yet,
 * checks it is a chat JSONL, keeps it in the cache and writes its sha256 into the file, next to its
 * url. Every other byte of the file stays as the user wrote it (comments, order, quoting), so the
 * change is one reviewable line per dataset.
 */
import { readFileSync } from 'node:fs';
import { isMap, isScalar, parseDocument } from 'yaml';
import { writeFileAtomic } from '../store/atomic-file.js';
import { pinDataset, type DatasetContext } from './datasets.js';
import { loadExperiment, parseExperiment, unpinnedDatasets } from './schema.js';

export interface PinnedDataset {
  name: string;
  url: string;
  sha256: string;
  rows: number;
}

export interface PinResult {
  pinned: PinnedDataset[];
  /** {url} datasets that already had a sha256 (left as they are). */
  alreadyPinned: string[];
}

export async function pinExperimentFile(path: string, ctx: Pick<DatasetContext, 'fetch' | 'signal'> = {}, log: (line: string) => void = () => {}): Promise<PinResult> {
  const exp = loadExperiment(path, { allowUnpinned: true });
  const todo = unpinnedDatasets(exp);
  const alreadyPinned = Object.entries(exp.datasets).filter(([name, d]) => 'url' in d && !todo.some((t) => t.name === name)).map(([name]) => name);
  const pinned: PinnedDataset[] = [];
  // One at a time: a failure stops before the file is touched, and nothing fetched is lost (the cache keeps it).
  for (const { name, url } of todo) {
    const { sha256, file } = await pinDataset(name, url, ctx);
    pinned.push({ name, url, sha256, rows: file.rows });
    log(`pinned ${name}: ${file.rows} rows, sha256 ${sha256} (${url})`);
  }
  if (pinned.length > 0) {
    const text = readFileSync(exp.file, 'utf8');
    const updated = withPins(text, pinned, path);
    // The written file must load as pinned, with exactly these hashes, before it replaces the old one.
    const check = parseExperiment(updated, path);
    for (const p of pinned) {
      const d = check.datasets[p.name];
      if (!d || !('url' in d) || d.sha256 !== p.sha256) throw new Error(`${path}: could not write the sha256 of dataset "${p.name}" into the file; add "sha256: ${p.sha256}" next to its url by hand`);
    }
    await writeFileAtomic(exp.file, updated);
  }
  return { pinned, alreadyPinned };
}

/** `text` with a `sha256:` entry added after the url of each dataset in `pins`. */
export function withPins(text: string, pins: readonly Pick<PinnedDataset, 'name' | 'sha256'>[], file: string): string {
  const doc = parseDocument(text);
  const inserts: { at: number; text: string }[] = [];
  for (const { name, sha256 } of pins) {
    const map = doc.getIn(['datasets', name], true);
    const pair = isMap(map) ? map.items.find((p) => isScalar(p.key) && p.key.value === 'url') : undefined;
    const key = pair?.key;
    const value = pair?.value;
    if (!isMap(map) || !isScalar(key) || !isScalar(value) || !key.range || !value.range) {
      throw new Error(`${file}: dataset "${name}" is not written as a map with a url field; write it as {url: URL, sha256: HEX}`);
    }
    if (map.flow) {
      inserts.push({ at: value.range[1], text: `, sha256: ${sha256}` });
    } else {
      // A block map: a new line at the url key's indentation, after the url's line (and its comment).
      const lineStart = text.lastIndexOf('\n', key.range[0] - 1) + 1;
      const indent = text.slice(lineStart, key.range[0]);
      const eol = text.indexOf('\n', value.range[1]);
      inserts.push(eol === -1 ? { at: text.length, text: `\n${indent}sha256: ${sha256}\n` } : { at: eol + 1, text: `${indent}sha256: ${sha256}\n` });
    }
  }
  let out = text;
  for (const { at, text: piece } of inserts.sort((a, b) => b.at - a.at)) out = out.slice(0, at) + piece + out.slice(at);
  return out;
}
