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
// process.resourcesPath), the built dist-electron/*.js (../resources from it) and the source
// tree (../../resources from this file). The shell may also set the folder outright: in its own
// process with setResourceRoot, in the core process it forks through LBC_RESOURCES_DIR.
export const RESOURCES_DIR_ENV = 'LBC_RESOURCES_DIR';
let resourceOverride: string | null = null;

/** Sets the resources folder (the shell, at start); null returns to detection. */
export function setResourceRoot(dir: string | null): void {
  resourceOverride = dir;
}

function hasResources(dir: string): boolean {
  return existsSync(join(dir, 'policies')) && existsSync(join(dir, 'platform'));
}

/** The first `rel` folder above this module (source: core/config; bundled: dist-electron) that passes `ok`. */
function findAbove(rel: string, ok: (dir: string) => boolean): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, rel);
    if (ok(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

export function resourceRoot(): string {
  if (resourceOverride) return resourceOverride;
  const fromShell = process.env[RESOURCES_DIR_ENV];
  if (fromShell && hasResources(fromShell)) return fromShell;
  const packaged = (process as { resourcesPath?: string }).resourcesPath;
  if (packaged && hasResources(packaged)) return packaged;
  const found = findAbove('resources', hasResources);
  if (!found) throw new Error(`resources folder (policies, platform) not found above ${fileURLToPath(import.meta.url)}`);
  return found;
}

/** A path inside the bundled resources, e.g. resourcePath('policies'). */
export function resourcePath(...parts: string[]): string {
  return join(resourceRoot(), ...parts);
}

/**
 * The built counter screen (vite's dist/renderer), found the same way: above the source tree, above
 * dist-electron, or inside the packaged app (app.asar/dist/renderer beside app.asar/dist-electron).
 * null when it has not been built.
 */
export function rendererDir(): string | null {
  return findAbove(join('dist', 'renderer'), (dir) => existsSync(join(dir, 'index.html')));
}
