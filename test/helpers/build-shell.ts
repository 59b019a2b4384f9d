// Builds what the desktop shell tests load: dist-electron/ (main, core process, preload) always,
// the counter screen (dist/renderer) when it has not been built yet.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rendererDir } from '../../core/config/paths.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export async function buildShell(): Promise<void> {
  execFileSync(process.execPath, ['--import', 'tsx', 'electron/build.ts'], { cwd: ROOT, stdio: 'ignore' });
  if (rendererDir()) return;
  const { build } = await import('vite');
  await build({ configFile: join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
}
