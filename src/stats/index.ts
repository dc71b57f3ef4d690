export * from './prng.js';
export * from './distributions.js';
export * from './proportion.js';
export * from './mean.js';
export * from './bootstrap.js';
export * from './compare.js';
export * from './thresholds.js';
export * from './trend.js';
