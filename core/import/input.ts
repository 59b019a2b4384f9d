// The text of an import, piece by piece: a file read in 1 MB chunks and decoded as it comes
// (StreamDecoder), or text already in memory. An input can be opened more than once (a JSON
// file is read twice: core/import/engine.ts).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { InputError } from '../contract/problems.ts';
import { StreamDecoder, normalizeEncoding, type Encoding } from './decode.ts';

export const CHUNK_BYTES = 1 << 20;

export interface TextStream {
  /** The next piece of text, null at the end. */
  pull(): string | null;
  /** 0–1 of the input read so far. */
  fraction(): number;
  encoding(): Encoding;
  close(): void;
}

export interface TextInput {
  /** The file's name ('' for text): its extension may say the format. */
  name: string;
  /** The start of the text (format detection). */
  peek(): string;
  open(): TextStream;
}

function unreadable(file: string, e: unknown): InputError {
  const message = `Cannot read ${file}: ${(e as Error).message}`;
  const messageZh = `无法读取文件 ${file}`;
  return new InputError('FILE_UNREADABLE', message, messageZh, [{ path: 'file', code: 'FILE_UNREADABLE', message, messageZh }]);
}

export function fileInput(file: string, encoding?: string): TextInput {
  if (encoding) normalizeEncoding(encoding); // an unknown name is refused before the file is opened
  let head: string | null = null;
  const input: TextInput = {
    name: file,
    peek() {
      if (head === null) {
        const s = input.open();
        try {
          let t = '';
          for (let piece = s.pull(); piece !== null && t.trim() === ''; piece = s.pull()) t += piece.slice(0, 4096);
          head = t.slice(0, 4096);
        } finally {
          s.close();
        }
      }
      return head;
    },
    open() {
      let fd: number;
      let size: number;
      try {
        fd = openSync(file, 'r');
        size = fstatSync(fd).size;
      } catch (e) {
        throw unreadable(file, e);
      }
      const decoder = new StreamDecoder(encoding);
      let read = 0;
      let open = true;
      const close = () => {
        if (open) closeSync(fd);
        open = false;
      };
      return {
        pull() {
          if (!open) return null;
          const buf = Buffer.allocUnsafe(CHUNK_BYTES);
          let n: number;
          try {
            n = readSync(fd, buf, 0, CHUNK_BYTES, null);
          } catch (e) {
            close();
            throw unreadable(file, e);
          }
          if (n === 0) {
            close();
            return decoder.end();
          }
          read += n;
          return decoder.push(buf.subarray(0, n));
        },
        fraction: () => (size > 0 ? Math.min(1, read / size) : 1),
        encoding: () => decoder.encoding,
        close,
      };
    },
  };
  return input;
}

/** Text already decoded, handed out in pieces like a file (progress, the same readers). */
export function textInput(text: string): TextInput {
  const PIECE = CHUNK_BYTES;
  return {
    name: '',
    peek: () => text.slice(0, 4096),
    open() {
      let at = 0;
      return {
        pull() {
          if (at >= text.length) return null;
          const piece = text.slice(at, at + PIECE);
          at += PIECE;
          return piece;
        },
        fraction: () => (text.length > 0 ? Math.min(1, at / text.length) : 1),
        encoding: () => 'utf8',
        close() {},
      };
    },
  };
}
