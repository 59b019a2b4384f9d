// The CLI's side of the handler map (core/service/contract.ts METHODS): `cli call METHOD` reaches
// every method through CounterService.call; a named command that does a method's work parses its
// input with that method's schema (METHODS.x.input, less the session), so no field is defined twice.
import { z } from 'zod';
import { InputError } from '../contract/problems.ts';
import { METHODS, METHOD_NAMES, type MethodName } from '../service/contract.ts';

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(METHODS, name);
}

/** The method, or an English refusal naming it (exit 2). */
export function requireMethod(name: string | undefined): MethodName {
  if (name && isMethodName(name)) return name;
  const message = name ? `unknown method ${JSON.stringify(name)}; \`cli methods\` lists them` : 'name a method: `cli call METHOD` (`cli methods` lists them)';
  throw new InputError('NO_SUCH_METHOD', message, name ? `没有此接口：${name}` : '请指定接口名称', [{ path: 'method', code: 'NO_SUCH_METHOD', message, messageZh: '没有此接口' }]);
}

/** A method's input as a plain object schema (an empty input is `z.object({}).default({})`). */
function inputObject(method: MethodName): z.ZodObject {
  const schema: z.ZodType = METHODS[method].input;
  const inner = schema instanceof z.ZodDefault ? (schema.unwrap() as z.ZodType) : schema;
  if (!(inner instanceof z.ZodObject)) throw new Error(`the input of ${method} is not an object schema`);
  return inner;
}

/** The top-level fields of a method's input, in the contract's order. */
export function inputFields(method: MethodName): string[] {
  return Object.keys(inputObject(method).shape);
}

/** Whether the method's input carries a signed-in operator's session (the CLI signs in for it with --operator). */
export function takesSession(method: MethodName): boolean {
  return inputFields(method).includes('session');
}

/** One line per method for `cli help` / `cli methods`: name, who may call it, what it does. */
export function methodLines(): string[] {
  return METHOD_NAMES.map((m) => `  ${m.padEnd(18)} ${`[${METHODS[m].surfaces.join(',')}]`.padEnd(16)} ${METHODS[m].summary}`);
}
