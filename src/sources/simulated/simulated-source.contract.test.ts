import { describeSourceContract } from '../source.contract.js';
import { createSimulatedSource } from './simulated-source.js';
import { createSimulatedTestDriver } from './test-driver.js';

// Real time and busy churn: the contract must hold while the cluster is changing on its own.
describeSourceContract(
  'simulated',
  async () => {
    const source = createSimulatedSource({ size: 'small', seed: 21, churnPerSecond: 20, metricsIntervalMs: 250 });
    return { source, driver: createSimulatedTestDriver(source), cleanup: async () => {} };
  },
  { timeoutMs: 5_000 },
);
