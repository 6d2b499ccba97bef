// The embedded demo cluster: a seeded, churning, realistic cluster of up to 5,000 nodes and
// 150,000 pods behind the same ClusterSource interface as a real one.
export { createSimulatedSource, SimulatedSource, type SimulatedOptions } from './simulated-source.js';
export { SIZES, type SimulatedSize, type SizeSpec } from './sizes.js';
export { ManualClock, systemClock, type Clock } from './clock.js';
export { createSimulatedTestDriver } from './test-driver.js';
