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

interface Overflow {
  what: string;
  box: { left: number; top: number; right: number; bottom: number };
}

/** Every visible control whose box leaves the viewport, and the page's own scroll width. */
export async function overflows(page: Page): Promise<{ controls: Overflow[]; scrollWidth: number; clientWidth: number }> {
  return page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const vh = document.documentElement.clientHeight;
    const out: { what: string; box: { left: number; top: number; right: number; bottom: number } }[] = [];
    for (const el of Array.from(document.querySelectorAll('button, input, select, textarea'))) {
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      if (r.width === 0 || r.height === 0 || style.visibility === 'hidden') continue;
      // A control clipped by a scrolled ancestor is cut off too: check it against every clipping box.
      let left = 0;
      let top = 0;
      let right = vw;
      let bottom = vh;
      for (let p = el.parentElement; p; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (s.overflowX !== 'visible' || s.overflowY !== 'visible') {
          const pr = p.getBoundingClientRect();
          if (s.overflowX !== 'visible') {
            left = Math.max(left, pr.left);
            right = Math.min(right, pr.right);
          }
          if (s.overflowY !== 'visible') {
            top = Math.max(top, pr.top);
            bottom = Math.min(bottom, pr.bottom);
          }
        }
      }
      const eps = 0.5;
      if (r.left < left - eps || r.right > right + eps || r.top < top - eps || r.bottom > bottom + eps) {
        const label = (el.getAttribute('data-testid') ?? el.getAttribute('aria-label') ?? el.textContent ?? el.tagName).trim().slice(0, 40);
        out.push({ what: `${el.tagName.toLowerCase()} ${label}`, box: { left: Math.round(r.left), top: Math.round(r.top), right: Math.round(r.right), bottom: Math.round(r.bottom) } });
      }
    }
    return { controls: out, scrollWidth: document.documentElement.scrollWidth, clientWidth: vw };
  });
}

/** Nothing cut off: no horizontal scroll, no visible control outside the viewport or a scrolled box. */
export async function expectFits(page: Page, where: string) {
  const o = await overflows(page);
  expect(o.scrollWidth, `${where}: no horizontal scroll`).toBeLessThanOrEqual(o.clientWidth);
  expect(o.controls, `${where}: controls outside the viewport or cut off by a scrolled box`).toEqual([]);
}
