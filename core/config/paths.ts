// Where the counter keeps its data: --data DIR, else LBC_DATA_DIR, else the platform's user-data folder.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const APP_DIR_NAME = 'liangbing-counter';
export const DATA_DIR_ENV = 'LBC_DATA_DIR';

export function defaultDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_DIR_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_DIR_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_DIR_NAME);
}

export function resolveDataDir(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env[DATA_DIR_ENV] ?? defaultDataDir(process.platform, env);
}

// Where the bundled resources (policies, platform config, demo data) are. One answer for all three
// layouts: a packaged app (electron-builder copies them as extraResources into
// process.resourcesPath), the built dist-electron/main.js (../resources from it) and the source
// tree (../../resources from this file). The shell may also set the folder outright.
let resourceOverride: string | null = null;

/** Sets the resources folder (the shell, at start); null returns to detection. */
export function setResourceRoot(dir: string | null): void {
  resourceOverride = dir;
}

function hasResources(dir: string): boolean {
  return existsSync(join(dir, 'policies')) && existsSync(join(dir, 'platform'));
}

export function resourceRoot(): string {
  if (resourceOverride) return resourceOverride;
  const packaged = (process as { resourcesPath?: string }).resourcesPath;
  if (packaged && hasResources(packaged)) return packaged;
  // Walk up from this module (source: core/config; bundled: dist-electron) to a resources/ folder.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'resources');
    if (hasResources(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error(`resources folder (policies, platform) not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** A path inside the bundled resources, e.g. resourcePath('policies'). */
export function resourcePath(...parts: string[]): string {
  return join(resourceRoot(), ...parts);
}
