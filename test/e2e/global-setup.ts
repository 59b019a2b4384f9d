// Builds the counter screen once when dist/renderer is missing or older than its sources.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function newest(dir: string): number {
  let t = 0;
  for (const f of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, f.name);
    t = Math.max(t, f.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

export default async function globalSetup(): Promise<void> {
  const index = join(ROOT, 'dist/renderer/index.html');
  const stale = !existsSync(index) || statSync(index).mtimeMs < Math.max(newest(join(ROOT, 'renderer')), newest(join(ROOT, 'core/service')));
  if (!stale) return;
  const { build } = await import('vite');
  await build({ configFile: join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
}
