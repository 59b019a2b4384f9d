// The platform simulator: `startSimulator({port, dataDir, faults})` → {url, close()}.
export { startSimulator, FaultsSchema, FAULT_KINDS, type Faults, type FaultsInput, type RunningSimulator, type SimulatorOptions } from './server.ts';
export { SimulatedPlatform } from './platform.ts';
export { SimRegistrySchema, type SimPerson, type SimRegistry, type SimRegistryInput } from './registry.ts';
