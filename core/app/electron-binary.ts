// Where Electron's binary is, without triggering its lazy download (Electron ≥ 45 downloads on
// first require when the binary is absent, which hangs or fails on machines without GitHub).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export function electronBinary(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve('electron/package.json'));
    if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
      const name = process.platform === 'win32' ? 'electron.exe' : process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : 'electron';
      const p = join(process.env.ELECTRON_OVERRIDE_DIST_PATH, name);
      return existsSync(p) ? p : null;
    }
    const pathFile = join(dir, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const exe = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(exe) ? exe : null;
  } catch {
    return null;
  }
}
