/**
 * The study's own seeded generator (sfc32, state filled by splitmix32). Every random draw of the
 * study comes from a stream named by (seed, purpose, index...), so the teacher's initial weights,
 * a student's batch order and the noise images never share or shift each other's draws, and a run
 * is reproducible from its seed alone. Math.random is never used: it cannot be seeded.
 */

export interface Rng {
  /** A float in [0, 1) with 32 random bits. */
  next(): number;
  /** An integer in [0, n), without modulo bias. */
  int(n: number): number;
  /** A standard normal draw (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number;
  /** Fills `out` with uniform floats in [lo, hi). */
  fillUniform(out: Float32Array, lo: number, hi: number): void;
  /** Shuffles `items` in place (Fisher–Yates). */
  shuffle(items: Int32Array | number[]): void;
}

/** Folds the seed and labels into one 32-bit stream seed (FNV-1a over their bytes). */
export function streamSeed(seed: number, ...labels: (string | number)[]): number {
  if (!Number.isSafeInteger(seed)) throw new Error(`seed must be a safe integer, got ${seed}`);
  let h = 0x811c9dc5;
  const mix = (byte: number): void => {
    h = Math.imul(h ^ (byte & 0xff), 0x01000193) >>> 0;
  };
  const mixUint32 = (x: number): void => {
    for (let s = 0; s < 32; s += 8) mix(x >>> s);
  };
  mixUint32(seed >>> 0);
  mixUint32(Math.floor(seed / 4294967296) >>> 0);
  for (const label of labels) {
    mix(0x1f); // separator: ('ab', 'c') and ('a', 'bc') must differ
    if (typeof label === 'number') {
      if (!Number.isSafeInteger(label)) throw new Error(`stream label must be a safe integer, got ${label}`);
      mixUint32(label >>> 0);
      mixUint32(Math.floor(label / 4294967296) >>> 0);
    } else {
      for (let i = 0; i < label.length; i++) mixUint32(label.charCodeAt(i));
    }
  }
  return h;
}

/** The generator of one named stream. */
export function rngFor(seed: number, ...labels: (string | number)[]): Rng {
  return createRng(streamSeed(seed, ...labels));
}

export function createRng(seed32: number): Rng {
  return new Sfc32(seed32);
}

class Sfc32 implements Rng {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;
  private spareNormal: number | undefined;

  constructor(seed32: number) {
    let sm = seed32 >>> 0;
    const splitmix = (): number => {
      sm = (sm + 0x9e3779b9) >>> 0;
      let z = sm;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = splitmix();
    this.b = splitmix();
    this.c = splitmix();
    for (let i = 0; i < 12; i++) this.nextUint32(); // sfc32's authors discard the first outputs
  }

  private nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((((this.c << 21) | (this.c >>> 11)) >>> 0) + t) >>> 0;
    return t;
  }

  next(): number {
    return this.nextUint32() / 4294967296;
  }

  int(n: number): number {
    if (!Number.isSafeInteger(n) || n <= 0 || n > 4294967296) throw new Error(`int(n): n must be in 1..2^32, got ${n}`);
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  normal(): number {
    if (this.spareNormal !== undefined) {
      const s = this.spareNormal;
      this.spareNormal = undefined;
      return s;
    }
    // 1 - next() is in (0, 1], so the logarithm is finite.
    const r = Math.sqrt(-2 * Math.log(1 - this.next()));
    const theta = 2 * Math.PI * this.next();
    this.spareNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  fillUniform(out: Float32Array, lo: number, hi: number): void {
    // The generator's step is inlined on local copies of the state: this fills 47 million noise
    // pixels per seed, and a method call per value costs several times the arithmetic.
    const scale = (hi - lo) / 4294967296;
    // Rounding to float32 can land a value just under `hi` on `hi` itself; keep the interval half-open.
    const top = Math.fround(hi);
    const bottom = Math.fround(lo);
    let { a, b, c, d } = this;
    for (let i = 0; i < out.length; i++) {
      const t = (((a + b) >>> 0) + d) >>> 0;
      d = (d + 1) >>> 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) >>> 0;
      c = ((((c << 21) | (c >>> 11)) >>> 0) + t) >>> 0;
      const v = Math.fround(lo + t * scale);
      out[i] = v === top ? bottom : v;
    }
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
  }

  shuffle(items: Int32Array | number[]): void {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i] as number;
      items[i] = items[j] as number;
      items[j] = t;
    }
  }
}

/** 0..n-1 in random order. */
export function permutation(rng: Rng, n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  rng.shuffle(p);
  return p;
}

/**
 * A uniformly random permutation of 0..n-1 with no fixed point (p[i] !== i for every i), by
 * rejection: about e ≈ 2.7 shuffles on average. The cross-initialisation control pairs teacher i
 * with the initial weights of seed p[i]; a plain random permutation would leave about one pair
 * sharing its own initialisation, which is the thing the control must rule out.
 */
export function derangement(rng: Rng, n: number): Int32Array {
  if (!Number.isSafeInteger(n) || n < 2) throw new Error(`derangement: needs n >= 2 (a single item cannot avoid its own place), got ${n}`);
  for (;;) {
    const p = permutation(rng, n);
    if (p.every((v, i) => v !== i)) return p;
  }
}
