// The roster and catalog file properties (test/fuzz/import-files.fuzz.ts) with a fixed seed and
// a few dozen cases, inside `npm test`; `npm run fuzz` runs the same properties longer.
import '../fuzz/import-files.fuzz.ts';
