// The counter's command line: `npm run --silent cli -- COMMAND [args]`.
import { COMMANDS } from './commands/index.ts';
import { EXIT_BAD_INPUT, processIO, reportError } from './io.ts';
import { methodLines } from './methods.ts';

async function main(argv: string[]): Promise<number> {
  const io = processIO();
  const [name, ...rest] = argv;
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const list = COMMANDS.map((c) => `  ${c.usage.padEnd(60)} ${c.summary}`).join('\n');
    // The methods come from the handler map itself (core/service/contract.ts), never a list of their own.
    io.stderr(`${name && name !== 'help' ? `unknown command ${JSON.stringify(name)}\n` : ''}usage: npm run --silent cli -- COMMAND\n${list}\n\nmethods (call METHOD --data DIR --json BODY):\n${methodLines().join('\n')}\n`);
    return name && name !== 'help' ? EXIT_BAD_INPUT : 0;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    // One place turns a refusal into JSON on stderr (exit 2 for bad input, 1 otherwise).
    return reportError(io, e);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`${(e as Error)?.stack ?? e}\n`);
    process.exitCode = 1;
  },
);
