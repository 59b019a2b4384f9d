// Test-only fault hooks, for the crash test's own mutation tests (issue 13: a crash test that can
// fail). Off unless LBC_TEST_FAULT names one; this is the one place the variable is read.
//   double-send   the uploader sends every settlement message a second time under a new msgid
//   ghost-commit  a settlement is reported committed to its caller, then rolled back
export type TestFault = 'double-send' | 'ghost-commit';
export const TEST_FAULT_ENV = 'LBC_TEST_FAULT';
const FAULTS: readonly TestFault[] = ['double-send', 'ghost-commit'];

export function testFault(): TestFault | null {
  const v = process.env[TEST_FAULT_ENV];
  if (!v) return null;
  if (!(FAULTS as readonly string[]).includes(v)) throw new Error(`${TEST_FAULT_ENV}=${v} is not a test fault (${FAULTS.join(', ')})`);
  return v as TestFault;
}
