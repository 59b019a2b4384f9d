// Shared steps for the e2e specs: sign in through the screen, and a keyboard-wedge scan.
import { expect, type Page } from '@playwright/test';
import type { CounterProcess } from './counter-server.ts';

export async function signIn(page: Page, c: CounterProcess, operator = 'yaoshi', pin = '1234') {
  await page.goto(await c.openUrl());
  await page.getByTestId(`op-${operator}`).click();
  await page.getByTestId('pin').fill(pin);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('patient-input')).toBeFocused();
}

/** A keyboard-wedge scan: the characters arrive with no delay, then Enter. */
export async function scan(page: Page, text: string) {
  await page.keyboard.type(text, { delay: 0 });
  await page.keyboard.press('Enter');
}
