// Reading a zip the platform sends (9102 文件下载: the 1301… catalogue files). The file is hostile
// until read: its size, its number of entries and what it inflates to are bounded while it is
// being inflated (a zip bomb is stopped at the limit, not after it has filled memory), and each
// refusal names the limit. Inflating goes through fflate's streaming reader, fed in small slices
// so no single inflated chunk can be large.
import { Unzip, UnzipInflate, UnzipPassThrough } from 'fflate';

export interface ZipLimits {
  /** Most bytes of zip accepted. */
  maxZipBytes: number;
  /** Most entries (files) in the zip. */
  maxEntries: number;
  /** Most bytes all entries inflate to together. */
  maxInflatedBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxZipBytes: 64 * 1024 * 1024, maxEntries: 16, maxInflatedBytes: 512 * 1024 * 1024 };

export class ZipRefused extends Error {
  constructor(
    message: string,
    readonly zh: string,
  ) {
    super(message);
  }
}

/** The slice fed to the inflater at a time: deflate expands at most ~1032×, so one chunk stays under ~16 MB. */
const SLICE = 16 * 1024;

/** The entries of a zip (name → bytes), within the limits; throws ZipRefused naming the limit exceeded or the damage. */
export function readZip(bytes: Uint8Array, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Map<string, Uint8Array> {
  if (bytes.length > limits.maxZipBytes) {
    throw new ZipRefused(`zip is ${bytes.length} bytes, more than the ${limits.maxZipBytes} accepted`, `下载的压缩文件过大（${bytes.length} 字节）`);
  }
  if (bytes.length < 22 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) throw new ZipRefused('not a zip file (no PK signature)', '下载的文件不是压缩文件');
  const files = new Map<string, Uint8Array[]>();
  const done = new Set<string>();
  let entries = 0;
  let inflated = 0;
  let failure: Error | null = null;
  const unzip = new Unzip((file) => {
    if (failure) return;
    entries++;
    if (entries > limits.maxEntries) {
      failure = new ZipRefused(`zip has more than ${limits.maxEntries} entries`, `下载的压缩文件内文件过多（超过 ${limits.maxEntries} 个）`);
      return;
    }
    if (file.name.includes('..') || file.name.startsWith('/')) {
      failure = new ZipRefused(`zip entry name ${JSON.stringify(file.name)} is not a plain file name`, '下载的压缩文件内文件名有误');
      return;
    }
    if (file.originalSize !== undefined && inflated + file.originalSize > limits.maxInflatedBytes) {
      failure = new ZipRefused(`zip entries declare more than ${limits.maxInflatedBytes} bytes inflated`, '下载的压缩文件解压后过大');
      return;
    }
    const chunks: Uint8Array[] = [];
    files.set(file.name, chunks);
    file.ondata = (err, chunk, final) => {
      if (failure) return;
      if (err) {
        failure = new ZipRefused(`zip entry ${file.name} is damaged: ${err.message}`, '下载的压缩文件已损坏');
        return;
      }
      inflated += chunk.length;
      if (inflated > limits.maxInflatedBytes) {
        failure = new ZipRefused(`zip inflates to more than ${limits.maxInflatedBytes} bytes (stopped there)`, '下载的压缩文件解压后过大');
        file.terminate();
        return;
      }
      chunks.push(chunk);
      if (final) done.add(file.name);
    };
    try {
      file.start();
    } catch (e) {
      failure = new ZipRefused(`zip entry ${file.name}: ${(e as Error).message}`, '下载的压缩文件使用了不支持的压缩方式');
    }
  });
  unzip.register(UnzipInflate);
  unzip.register(UnzipPassThrough);
  try {
    for (let at = 0; at < bytes.length && !failure; at += SLICE) unzip.push(bytes.subarray(at, Math.min(bytes.length, at + SLICE)), at + SLICE >= bytes.length);
  } catch (e) {
    if (!failure) failure = new ZipRefused(`zip is damaged: ${(e as Error).message}`, '下载的压缩文件已损坏');
  }
  if (failure) throw failure;
  if (files.size === 0) throw new ZipRefused('zip holds no file', '下载的压缩文件是空的');
  const out = new Map<string, Uint8Array>();
  for (const [name, chunks] of files) {
    if (!done.has(name)) throw new ZipRefused(`zip entry ${name} is cut off`, '下载的压缩文件不完整');
    out.set(name, Buffer.concat(chunks));
  }
  return out;
}
