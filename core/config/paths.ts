// Where the counter keeps its data: --data DIR, else LBC_DATA_DIR, else the platform's user-data folder.
import { homedir } from 'node:os';
import { join } from 'node:path';

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
