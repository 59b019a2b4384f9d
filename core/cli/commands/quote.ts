// `cli quote`: a JSON request (or an array of them) on stdin, the split on stdout (contract v1).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadPolicyBook, quoteRaw } from '../../policy/index.ts';
import { EXIT_OK, errorBody, parseJson, type Command } from '../io.ts';

const EXAMPLE = fileURLToPath(new URL('../../../resources/examples/quote-lincang.json', import.meta.url));

export const quoteCommand: Command = {
  name: 'quote',
  usage: 'quote [--policy-dir DIR] [--example] < request.json',
  summary: 'the policy engine alone: the fund/patient split of every fact given (JSON on stdin, or an array); `call quote` prices a sale from the roster and catalog',
  async run(args, io) {
    const { values } = parseArgs({ args, options: { 'policy-dir': { type: 'string' }, example: { type: 'boolean' } } });
    const book = loadPolicyBook(values['policy-dir']);
    const text = values.example ? readFileSync(EXAMPLE, 'utf8') : await io.readStdin();
    const input = parseJson(text, 'the request on standard input');
    if (Array.isArray(input)) {
      // A batch: each invalid request becomes {"error": …} in its place, and the exit code stays 0.
      const results = input.map((one) => {
        try {
          return quoteRaw(book, one);
        } catch (e) {
          return errorBody(e);
        }
      });
      io.stdout(JSON.stringify(results, null, 2) + '\n');
      return EXIT_OK;
    }
    io.stdout(JSON.stringify(quoteRaw(book, input), null, 2) + '\n');
    return EXIT_OK;
  },
};
