/** The checks every kernel makes of the views it is given: in the arena's memory, and long enough. */

/** Something that can tell whether a view lies in its memory (a KernelArena). */
export interface ViewOwner {
  owns(view: Float32Array | Float64Array): boolean;
}

/** Throws a one-line error naming the kernel and the argument when a view is foreign or too short. */
export function checkViews(owner: ViewOwner, kernel: string, views: ReadonlyArray<readonly [string, Float32Array | Float64Array, number]>): void {
  for (const [name, view, size] of views) {
    if (!owner.owns(view)) throw new Error(`${kernel}: ${name} is not a view of this arena; allocate it with arena.alloc`);
    if (view.length < size) throw new Error(`${kernel}: ${name} has ${view.length} ${view instanceof Float64Array ? 'doubles' : 'floats'}, the shapes need ${size}`);
  }
}

export function checkCount(kernel: string, name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${kernel}: ${name} must be a non-negative integer, got ${value}`);
}
