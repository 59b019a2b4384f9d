// Bundles the main process (ESM), the core process it forks (ESM) and the sandboxed preload (CommonJS, as sandboxed preloads
// must be) into dist-electron/. Run by `npm run build:electron`; electron-builder packs the result.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const common = { bundle: true, platform: 'node' as const, target: 'node20', absWorkingDir: root, external: ['electron', 'better-sqlite3'], sourcemap: false, logLevel: 'info' as const };

await build({ ...common, entryPoints: ['electron/main.ts'], outfile: 'dist-electron/main.js', format: 'esm', banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" } });
// The core process (database, plugin API, uploader, reports), forked by main with utilityProcess.
await build({ ...common, entryPoints: ['electron/core-process.ts'], outfile: 'dist-electron/core.js', format: 'esm', banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" } });
await build({ ...common, entryPoints: ['electron/preload.ts'], outfile: 'dist-electron/preload.cjs', format: 'cjs' });
