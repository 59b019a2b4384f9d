// A JSON import file read record by record as its text arrives: an array of objects, or an
// object whose "rows", "patients", "items" or "data" member (the first one that is an array)
// holds them. Each record is found by a scanner that counts nesting (at most MAX_JSON_DEPTH
// levels, at most MAX_JSON_RECORD_CHARS characters) and only then handed to JSON.parse, so a
// hostile file gets a clear refusal naming the record and line, never a stack overflow, and
// the file is never held whole.
import { InputError } from '../contract/problems.ts';

/** Nesting allowed inside one record (a roster record needs 2: the object and a list). */
export const MAX_JSON_DEPTH = 32;
export const MAX_JSON_RECORD_CHARS = 1 << 20;
const ROW_KEYS = new Set(['rows', 'patients', 'items', 'data']);

function jsonError(code: string, line: number, message: string, messageZh: string): InputError {
  return new InputError(code, message, messageZh, [{ path: `line.${line}`, code, message, messageZh }]);
}

const isWs = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

export interface JsonRecord {
  value: unknown;
  /** 1-based position of the record in the array. */
  index: number;
}

type State = 'start' | 'object' | 'array-first' | 'array' | 'after-value' | 'object-next' | 'end' | 'done';

export class JsonRowReader {
  private buf = '';
  private pos = 0;
  private final = false;
  private linesBefore = 0;
  private state: State = 'start';
  private inObject = false;
  private foundArray = false;
  private index = 0;

  constructor(private readonly pull: () => string | null) {}

  /** 1-based line of the current position (for messages). */
  private get line(): number {
    let n = this.linesBefore + 1;
    for (let i = this.buf.indexOf('\n'); i !== -1 && i < this.pos; i = this.buf.indexOf('\n', i + 1)) n++;
    return n;
  }

  private fill(): boolean {
    if (this.final) return false;
    const t = this.pull();
    if (t === null) {
      this.final = true;
      return true;
    }
    for (let i = this.buf.indexOf('\n'); i !== -1 && i < this.pos; i = this.buf.indexOf('\n', i + 1)) this.linesBefore++;
    this.buf = this.pos < this.buf.length ? this.buf.slice(this.pos) + t : t;
    this.pos = 0;
    return true;
  }

  /** The next significant character (not consumed), -1 at the end of the input. */
  private peek(): number {
    for (;;) {
      while (this.pos < this.buf.length) {
        const c = this.buf.charCodeAt(this.pos);
        if (!isWs(c) && c !== 0xfeff) return c;
        this.pos++;
      }
      if (!this.fill() && this.pos >= this.buf.length) return -1;
    }
  }

  private malformed(what: string): InputError {
    const line = this.line;
    return jsonError('MALFORMED_JSON', line, `The file is not valid JSON: ${what} on line ${line}`, `文件不是有效的 JSON（第 ${line} 行）`);
  }

  /** End (exclusive) of the string whose opening quote is at i, or -1 if it runs past the text. */
  private stringEnd(i: number): number {
    const text = this.buf;
    for (let q = text.indexOf('"', i + 1); q !== -1; q = text.indexOf('"', q + 1)) {
      let back = 0;
      while (text.charCodeAt(q - 1 - back) === 92) back++;
      if (back % 2 === 0) return q + 1;
    }
    return -1;
  }

  /** Scans one value at pos (after peek); returns its end, refilling as needed. */
  private scanValue(): number {
    for (;;) {
      const end = this.scanOnce();
      if (end !== -1) return end;
      if (this.buf.length - this.pos > MAX_JSON_RECORD_CHARS) {
        const line = this.line;
        throw jsonError('RECORD_TOO_LARGE', line, `JSON record ${this.index + 1} (line ${line}) is longer than ${MAX_JSON_RECORD_CHARS} characters; nothing was imported`, `JSON 文件第 ${this.index + 1} 条记录（第 ${line} 行）过大，整个文件未导入`);
      }
      if (!this.fill()) throw this.malformed('the file ends inside a value');
    }
  }

  private scanOnce(): number {
    const text = this.buf;
    const n = text.length;
    let i = this.pos;
    const c0 = text.charCodeAt(i);
    if (c0 === 34) return this.stringEnd(i);
    if (c0 !== 123 && c0 !== 91) {
      while (i < n) {
        const c = text.charCodeAt(i);
        if (c === 44 || c === 93 || c === 125 || isWs(c)) return i;
        i++;
      }
      return this.final ? n : -1;
    }
    let depth = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        const e = this.stringEnd(i);
        if (e === -1) return -1;
        i = e;
        continue;
      }
      if (c === 123 || c === 91) {
        if (++depth > MAX_JSON_DEPTH) {
          const line = this.line;
          throw jsonError('JSON_TOO_DEEP', line, `JSON record ${this.index + 1} (line ${line}) is nested more than ${MAX_JSON_DEPTH} levels deep; nothing was imported`, `JSON 文件第 ${this.index + 1} 条记录（第 ${line} 行）嵌套层数过多，整个文件未导入`);
        }
      } else if (c === 125 || c === 93) {
        if (--depth === 0) return i + 1;
      }
      i++;
    }
    return -1;
  }

  private parseValue(): unknown {
    const end = this.scanValue();
    const slice = this.buf.slice(this.pos, end);
    let value: unknown;
    try {
      value = JSON.parse(slice);
    } catch (e) {
      throw this.malformed((e as Error).message);
    }
    this.pos = end;
    return value;
  }

  private expect(c: number, what: string): void {
    if (this.peek() !== c) throw this.malformed(`expected ${what}`);
    this.pos++;
  }

  next(): JsonRecord | null {
    for (;;) {
      switch (this.state) {
        case 'start': {
          const c = this.peek();
          this.pos++;
          if (c === 91) this.state = 'array-first';
          else if (c === 123) {
            this.inObject = true;
            this.state = this.peek() === 125 ? 'object-next' : 'object';
          } else throw jsonError('MALFORMED_JSON', this.line, 'A JSON import is an array of objects (or {"rows": [...]})', 'JSON 导入文件应为对象数组');
          break;
        }
        case 'object': {
          if (this.peek() !== 34) throw this.malformed('expected a member name');
          const key = this.parseValue() as string;
          this.expect(58, "':'");
          if (ROW_KEYS.has(key) && !this.foundArray && this.peek() === 91) {
            this.foundArray = true;
            this.pos++;
            this.state = 'array-first';
          } else {
            if (this.peek() === -1) throw this.malformed('the file ends inside an object');
            this.parseValue();
            this.state = 'object-next';
          }
          break;
        }
        case 'object-next': {
          const c = this.peek();
          this.pos++;
          if (c === 44) this.state = 'object';
          else if (c === 125) this.state = 'end';
          else throw this.malformed("expected ',' or '}'");
          break;
        }
        case 'array-first':
          if (this.peek() === 93) {
            this.pos++;
            this.state = this.inObject ? 'object-next' : 'end';
            break;
          }
          this.state = 'array';
          break;
        case 'array': {
          if (this.peek() === -1) throw this.malformed('the file ends inside the array');
          const value = this.parseValue();
          this.state = 'after-value';
          return { value, index: ++this.index };
        }
        case 'after-value': {
          const c = this.peek();
          this.pos++;
          if (c === 44) this.state = 'array';
          else if (c === 93) this.state = this.inObject ? 'object-next' : 'end';
          else throw this.malformed("expected ',' or ']'");
          break;
        }
        case 'end':
          if (this.peek() !== -1) throw this.malformed('text after the end of the JSON value');
          if (this.inObject && !this.foundArray) throw jsonError('MALFORMED_JSON', 1, 'A JSON import is an array of objects (or {"rows": [...]})', 'JSON 导入文件应为对象数组');
          this.state = 'done';
          return null;
        case 'done':
          return null;
      }
    }
  }
}
