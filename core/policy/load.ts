// Loads the bundled policy files (resources/policies) and, optionally, a site directory whose
// files add regions or add/replace versions (e.g. the rates and cap Dazhou never published).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { PolicyFileSchema, type PolicyFile, type PolicyVersion } from './schema.ts';
import { InputError, problemsFromZod } from '../contract/problems.ts';
import { resourcePath } from '../config/paths.ts';

export const BUNDLED_POLICY_DIR = resourcePath('policies');

/** Environment variable naming the site's own policy directory. */
export const SITE_POLICY_ENV = 'LBC_POLICY_DIR';

export class PolicyBook {
  private readonly byId = new Map<string, PolicyFile>();

  constructor(files: PolicyFile[]) {
    for (const file of files) this.add(file);
  }

  /** Adds a region, or merges a site file into it: a version with the same effectiveFrom replaces the bundled one. */
  add(file: PolicyFile): void {
    const existing = this.byId.get(file.id);
    const versions = new Map<string, PolicyVersion>();
    for (const v of existing?.versions ?? []) versions.set(v.effectiveFrom, v);
    for (const v of file.versions) versions.set(v.effectiveFrom, v);
    const sorted = [...versions.values()].sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
    this.byId.set(file.id, { ...(existing ?? file), ...file, name: file.name || existing?.name || file.id, versions: sorted });
  }

  ids(): string[] {
    return [...this.byId.keys()].sort();
  }

  get(id: string): PolicyFile | undefined {
    return this.byId.get(id);
  }

  /** The version in force on a service date: the latest one whose effectiveFrom is not after it. */
  resolve(id: string, date: string): { policy: PolicyFile; version: PolicyVersion } {
    const policy = this.byId.get(id);
    if (!policy) {
      throw new InputError('UNKNOWN_POLICY', `Unknown policy ${JSON.stringify(id)}; known: ${this.ids().join(', ')}`, `未知的地区政策 ${id}`, [
        { path: 'policy', code: 'UNKNOWN_POLICY', message: `unknown policy ${JSON.stringify(id)} (known: ${this.ids().join(', ')})`, messageZh: `未知的地区政策 ${id}` },
      ]);
    }
    let chosen: PolicyVersion | undefined;
    for (const v of policy.versions) if (v.effectiveFrom <= date) chosen = v;
    if (!chosen) {
      const first = policy.versions[0]!.effectiveFrom;
      throw new InputError('NO_POLICY_VERSION', `Policy ${id} has no version in force on ${date}; its first takes effect ${first}`, `${date} 早于${policy.name}两病政策的生效日期 ${first}`, [
        { path: 'date', code: 'NO_POLICY_VERSION', message: `${date} is before policy ${id}'s first version (${first})`, messageZh: `结算日期早于政策生效日期 ${first}` },
      ]);
    }
    return { policy, version: chosen };
  }
}

export function parsePolicyFile(raw: unknown, origin: string): PolicyFile {
  const parsed = PolicyFileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = problemsFromZod(parsed.error);
    throw new InputError('INVALID_POLICY_FILE', `Policy file ${origin} is invalid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, `政策文件 ${origin} 格式有误`, problems);
  }
  return parsed.data;
}

function readDir(dir: string): PolicyFile[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => {
      const path = join(dir, name);
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(path, 'utf8'));
      } catch (e) {
        throw new InputError('INVALID_POLICY_FILE', `Policy file ${path} is not valid JSON: ${(e as Error).message}`, `政策文件 ${path} 不是有效的 JSON`);
      }
      return parsePolicyFile(raw, path);
    });
}

/** The bundled policies, plus the site's directory when one is given (argument or LBC_POLICY_DIR). */
export function loadPolicyBook(siteDir: string | undefined = process.env[SITE_POLICY_ENV]): PolicyBook {
  const book = new PolicyBook(readDir(BUNDLED_POLICY_DIR));
  if (siteDir) {
    if (!existsSync(siteDir)) {
      throw new InputError('POLICY_DIR_MISSING', `Site policy directory ${siteDir} does not exist`, `站点政策目录 ${siteDir} 不存在`);
    }
    for (const file of readDir(siteDir)) book.add(file);
  }
  return book;
}
