// The CLI derives its methods from the handler map (core/service/contract.ts METHODS): `cli methods`
// lists exactly the map, `cli call METHOD` reaches every method of it through CounterService.call
// (the method's schema checks the body, its output schema shapes the answer), a bad field is
// refused in English naming the field, and the named `settle` command refuses a bad line exactly as
// the settle method does (one schema, not a parallel definition).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../core/store/db.ts';
import { FIXTURE_OPERATORS, FIXTURE_REGIONS, drugBarcode, seedFixture } from '../../core/app/fixture.ts';
import { METHODS, METHOD_NAMES } from '../../core/service/contract.ts';
import { callCommand, PIN_ENV } from '../../core/cli/commands/call.ts';
import { settleCommand } from '../../core/cli/commands/settlement.ts';
import { reportError, type CliIO } from '../../core/cli/io.ts';
import { inputFields } from '../../core/cli/methods.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const L = FIXTURE_REGIONS.lincang;
const admin = FIXTURE_OPERATORS.find((o) => o.role === 'admin')!;

function lincangDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lbc-call-'));
  const db = openDatabase(dir);
  seedFixture(db, 'lincang');
  db.close();
  return dir;
}

/** Runs a command in this process as core/cli/main.ts does (a thrown refusal becomes JSON on stderr). */
async function run(command: typeof callCommand, args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), readStdin: async () => stdin, isTTY: false };
  let code: number;
  try {
    code = await command.run(args, io);
  } catch (e) {
    code = reportError(io, e);
  }
  return { code, stdout, stderr };
}

async function withPin<T>(pin: string, fn: () => Promise<T>): Promise<T> {
  const before = process.env[PIN_ENV];
  process.env[PIN_ENV] = pin;
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env[PIN_ENV];
    else process.env[PIN_ENV] = before;
  }
}

test('cli methods (through core/cli/main.ts) lists exactly the handler map, with each method\'s input fields', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'core/cli/main.ts', 'methods', '--json'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const items = (JSON.parse(r.stdout) as { items: { name: string; surfaces: string[]; fields: string[] }[] }).items;
  assert.deepEqual(items.map((i) => i.name), METHOD_NAMES);
  for (const i of items) assert.deepEqual(i.surfaces, [...METHODS[i.name as keyof typeof METHODS].surfaces], i.name);
  assert.ok(items.find((i) => i.name === 'settle')!.fields.includes('requestId'));
  // `cli help` names the map's methods too.
  const help = spawnSync(process.execPath, ['--import', 'tsx', 'core/cli/main.ts', 'help'], { cwd: ROOT, encoding: 'utf8' });
  const section = help.stderr.split(/^methods \(call METHOD/m)[1] ?? '';
  assert.deepEqual(section.split('\n').slice(1).filter(Boolean).map((l) => l.trim().split(/\s+/)[0]), METHOD_NAMES);
});

test('every method of the handler map is reachable with cli call: its own schema answers, its output schema shapes the reply', async () => {
  const dir = lincangDataDir();
  let ran = 0;
  await withPin(admin.pin, async () => {
    for (const method of METHOD_NAMES) {
      // An empty body, signed in as the administrator: either the method runs (its output is printed,
      // matching its output schema) or its own input schema / handler refuses it.
      const r = await run(callCommand, [method, '--data', dir, '--operator', admin.id]);
      if (r.code === 0) {
        ran++;
        assert.ok(METHODS[method].output.safeParse(JSON.parse(r.stdout)).success, `${method}: output schema`);
        continue;
      }
      const error = (JSON.parse(r.stderr) as { error: { code: string; message: string; problems?: { path: string }[] } }).error;
      assert.notEqual(error.code, 'NO_SUCH_METHOD', method);
      assert.notEqual(error.code, 'INTERNAL', `${method}: ${error.message}`);
      if (error.code === 'INVALID_REQUEST') {
        // The problems name fields of this method's input, nothing else.
        const fields = inputFields(method);
        assert.ok(error.problems!.length > 0, method);
        for (const p of error.problems!) assert.ok(fields.includes(p.path.split('.')[0]!), `${method}: ${p.path} is not one of ${fields.join(', ')}`);
      }
    }
  });
  // The methods that need no body ran: outboxStatus, attention, heldSales, operators, getSettings, … .
  assert.ok(ran >= 8, `only ${ran} methods ran on an empty body`);
});

test('cli call: a bad field is refused in English naming the field; a good body settles and reads back', async () => {
  const dir = lincangDataDir();
  const badQuantity = await run(callCommand, ['quote', '--data', dir, '--json', JSON.stringify({ patient: L.eligible, lines: [{ code: drugBarcode(1), quantity: 'two' }] })]);
  assert.equal(badQuantity.code, 2);
  const e1 = JSON.parse(badQuantity.stderr).error as { code: string; message: string; problems: { path: string; message: string }[] };
  assert.equal(e1.code, 'INVALID_REQUEST');
  assert.deepEqual(e1.problems.map((p) => p.path), ['lines.0.quantity']);
  assert.match(e1.message, /lines\.0\.quantity/);
  assert.match(e1.problems[0]!.message, /^[\x20-\x7e]+$/, 'English, for the terminal');

  const unknown = await run(callCommand, ['quote', '--data', dir, '--json', JSON.stringify({ patient: L.eligible, lines: [{ code: drugBarcode(1), quantity: '1' }], colour: 'red' })]);
  assert.equal(unknown.code, 2);
  assert.deepEqual((JSON.parse(unknown.stderr).error.problems as { path: string; message: string }[]).map((p) => [p.path, p.message]), [['colour', 'unknown field "colour"']]);

  // A method that needs a session without --operator is refused naming the session field.
  const noSession = await run(callCommand, ['settle', '--data', dir, '--json', JSON.stringify({ requestId: crypto.randomUUID(), patient: L.eligible, lines: [{ code: drugBarcode(1), quantity: '1' }] })]);
  assert.equal(noSession.code, 2);
  assert.ok((JSON.parse(noSession.stderr).error.problems as { path: string }[]).some((p) => p.path === 'session'));

  const pharmacist = FIXTURE_OPERATORS.find((o) => o.role === 'pharmacist')!;
  const settled = await withPin(pharmacist.pin, () =>
    run(callCommand, ['settle', '--data', dir, '--operator', pharmacist.id, '--json', JSON.stringify({ requestId: crypto.randomUUID(), patient: L.eligible, lines: [{ code: drugBarcode(1), quantity: '1' }] })]),
  );
  assert.equal(settled.code, 0, settled.stderr);
  const view = JSON.parse(settled.stdout) as { id: string; receiptNo: string; operator: { id: string } | null };
  assert.ok(METHODS.settle.output.safeParse(view).success);
  const again = await run(callCommand, ['getSettlement', '--data', dir, '--json', JSON.stringify({ settlementId: view.id })]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).receiptNo, view.receiptNo);

  const wrongPin = await withPin('9999', () => run(callCommand, ['outboxStatus', '--data', dir, '--operator', pharmacist.id]));
  assert.equal(wrongPin.code, 2, 'a wrong PIN signs no one in');
});

test('the named settle command parses its sale with the settle method\'s schema: the same refusal, field and words', async () => {
  const dir = lincangDataDir();
  const line = { code: drugBarcode(1), quantity: '1', days: 0 };
  const viaMethod = await withPin(admin.pin, () => run(callCommand, ['settle', '--data', dir, '--operator', admin.id, '--json', JSON.stringify({ requestId: crypto.randomUUID(), patient: L.eligible, lines: [line] })]));
  const viaCommand = await run(settleCommand, ['--data', dir], JSON.stringify({ patient: L.eligible, lines: [line], operator: { id: admin.id, name: admin.name } }));
  assert.equal(viaMethod.code, 2);
  assert.equal(viaCommand.code, 2);
  const problems = (r: { stderr: string }) => (JSON.parse(r.stderr).error.problems as { path: string; message: string }[]).map((p) => [p.path, p.message]);
  assert.deepEqual(problems(viaCommand), problems(viaMethod));
  assert.deepEqual(problems(viaCommand).map(([p]) => p), ['lines.0.days']);
});
