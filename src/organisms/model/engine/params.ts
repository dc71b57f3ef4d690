/**
 * Parameters as one flat Float32Array in the kernel arena, each tensor a view of it at a cache-line
 * aligned offset. A gradient (or an optimizer moment) of the same layout is another such array, so
 * a whole-model update is one loop over ranges.
 */
import type { KernelArena as Arena } from '../../kernels/index.js';

export interface ParamSpec {
  name: string;
  shape: readonly number[];
  /** AdamW's decoupled decay applies (matrices and embeddings, not biases or LayerNorm). */
  decay: boolean;
}

export interface ParamEntry extends ParamSpec {
  offset: number;
  length: number;
}

const ALIGN = 16;

export class ParamLayout {
  readonly entries: ReadonlyMap<string, ParamEntry>;
  readonly size: number;

  constructor(specs: readonly ParamSpec[]) {
    const entries = new Map<string, ParamEntry>();
    let offset = 0;
    for (const spec of specs) {
      const length = spec.shape.reduce((a, b) => a * b, 1);
      entries.set(spec.name, { ...spec, offset, length });
      offset += Math.ceil(length / ALIGN) * ALIGN;
    }
    this.entries = entries;
    this.size = offset;
  }

  entry(name: string): ParamEntry {
    const e = this.entries.get(name);
    if (e === undefined) throw new Error(`engine: no parameter named ${name}`);
    return e;
  }

  /** A flat array of this layout, zeroed, from the arena. */
  alloc(arena: Arena): ParamSet {
    return new ParamSet(this, arena.alloc(this.size));
  }
}

/** One flat array of a layout: the values, a gradient or a moment. */
export class ParamSet {
  constructor(readonly layout: ParamLayout, readonly data: Float32Array) {}

  view(name: string): Float32Array {
    const e = this.layout.entry(name);
    return this.data.subarray(e.offset, e.offset + e.length);
  }

  has(name: string): boolean {
    return this.layout.entries.has(name);
  }
}
