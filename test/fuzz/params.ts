// How long a fuzz property runs: a few dozen cases with a fixed seed inside `npm test`
// (test/store/*.test.ts import the properties), as many as FUZZ_RUNS under `npm run fuzz`
// (test/fuzz/run.ts), with FUZZ_SEED to replay a failure fast-check reported.
export function fuzzParams(runsInSuite: number): { numRuns: number; seed: number } {
  const runs = Number(process.env.FUZZ_RUNS);
  const seed = Number(process.env.FUZZ_SEED);
  return { numRuns: Number.isInteger(runs) && runs > 0 ? runs : runsInSuite, seed: Number.isInteger(seed) ? seed : 20261201 };
}
