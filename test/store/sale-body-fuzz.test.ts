// The sale-body property (test/fuzz/sale-bodies.fuzz.ts) with a fixed seed and a few dozen
// cases, inside `npm test`; `npm run fuzz` runs it longer.
import '../fuzz/sale-bodies.fuzz.ts';
