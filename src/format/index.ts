/** The CLFS codec: pure functions over bytes (see docs/codec.md). */
export * from './constants.js';
export * from './hash.js';
export * from './ids.js';
export * from './names.js';
export * from './time.js';
export * from './vattr.js';
export * from './handles.js';
export * from './envelope.js';
export * from './objects.js';
export * from './blockmap.js';
export * from './dirpack.js';
export { xxh32 } from './xxh32.js';
export * from './builders.js';
export * from './segment-frame.js';
