// A hostile or broken platform reply (huge, or dripping) must never crash or stall the counter:
// it is cut off at a size cap / whole-request deadline and counted as an unknown (ambiguous) outcome.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PlatformClient } from '../../core/platform/client.ts';
import { Uploader } from '../../core/outbox/uploader.ts';
import { getOutboxBySettlement } from '../../core/store/outbox.ts';
import { openTemp, settleSale } from '../helpers/settlement.ts';
import { openDatabase } from '../../core/store/db.ts';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const validReply = JSON.stringify({ infcode: 0, inf_refmsgid: 'X', err_msg: null, output: {} });

const signInReply = JSON.stringify({ infcode: 0, inf_refmsgid: 'S', err_msg: null, output: { signinoutb: { sign_time: '2024-08-01 08:00:00', sign_no: 'SN1' } } });

/** A hostile endpoint for the business message; the 9001 sign-in before it is answered normally. */
async function serve(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void>; sent(): number }> {
  let bytes = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (Buffer.concat(chunks).toString('utf8').includes('"infno":"9001"')) return void res.end(signInReply);
      const write = res.write.bind(res);
      res.write = ((chunk: string | Buffer, ...rest: never[]) => {
        bytes += Buffer.byteLength(chunk);
        return write(chunk, ...rest);
      }) as typeof res.write;
      handler(req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    sent: () => bytes,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A valid reply followed by an endless tail of spaces (stops only when the client hangs up). */
function endlessTail(_req: http.IncomingMessage, res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write(validReply);
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const pump = () => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once('drain', pump);
  };
  res.on('close', () => res.removeAllListeners('drain'));
  pump();
}

/** A valid reply sent one byte every 100 ms: the connection is never idle long enough for an idle timeout. */
function drip(_req: http.IncomingMessage, res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  const body = Buffer.from(validReply);
  let i = 0;
  const timer = setInterval(() => {
    if (res.destroyed || i >= body.length) {
      clearInterval(timer);
      if (!res.destroyed) res.end();
      return;
    }
    res.write(body.subarray(i, ++i));
  }, 100);
  res.on('close', () => clearInterval(timer));
}

test('a valid reply followed by an endless tail is cut off at the size cap as ambiguous, never buffered past it', async () => {
  const s = await serve(endlessTail);
  const client = new PlatformClient(s.url, { maxReplyBytes: 1024 * 1024, timeoutMs: 10_000, deadlineMs: 20_000 });
  try {
    const before = process.memoryUsage().rss;
    const o = await client.send({ infno: '2207' });
    assert.equal(o.kind, 'ambiguous');
    if (o.kind === 'ambiguous') assert.match(o.error, /larger than 1048576 bytes/);
    // The read stops at the cap: the server got to push only the cap plus socket buffers, not gigabytes.
    assert.ok(s.sent() < 64 * 1024 * 1024, `server pushed ${s.sent()} bytes`);
    assert.ok(process.memoryUsage().rss - before < 200 * 1024 * 1024);
  } finally {
    client.close();
    await s.close();
  }
});

test('the default cap is a few MB', () => {
  const c = new PlatformClient('http://127.0.0.1:9/');
  assert.equal(c.maxReplyBytes, 4 * 1024 * 1024);
  assert.equal(c.deadlineMs, c.timeoutMs);
  c.close();
});

test('a reply dripping a byte every 100 ms is aborted at the total deadline even though it is never idle', async () => {
  const s = await serve(drip);
  const client = new PlatformClient(s.url, { timeoutMs: 1000, deadlineMs: 800 });
  try {
    const t0 = Date.now();
    const o = await client.send({ infno: '2207' });
    const took = Date.now() - t0;
    assert.equal(o.kind, 'ambiguous');
    if (o.kind === 'ambiguous') assert.match(o.error, /800 ms deadline/);
    assert.ok(took < 2000, `took ${took} ms (the drip lasts ${validReply.length * 100} ms)`);
  } finally {
    client.close();
    await s.close();
  }
});

for (const [name, handler, opts] of [
  ['oversized', endlessTail, { maxReplyBytes: 256 * 1024, timeoutMs: 5000 }],
  ['slow-drip', drip, { timeoutMs: 700 }],
] as const) {
  test(`the uploader files an ${name} reply as ambiguous (maybe delivered), and the process lives on`, async () => {
    const s = await serve(handler);
    const { db } = openTemp();
    const up = new Uploader(db, { endpoint: s.url, random: () => 0.5, ...opts });
    try {
      const rec = settleSale(db);
      const t0 = Date.now();
      const r = await up.cycle();
      assert.ok(Date.now() - t0 < 3000);
      assert.equal(r.ambiguous, 1);
      assert.equal(r.acked, 0);
      const row = getOutboxBySettlement(db, rec.id)!;
      assert.equal(row.status, 'ambiguous');
    } finally {
      up.close();
      await s.close();
    }
  });
}

test('cli upload --timeout 1000 against a slow-drip platform ends within seconds, the sale left as an unknown outcome', { timeout: 60_000 }, async () => {
  // Issue 13 reproduction 2: `upload --timeout 2000` still hung at 45 s (the timeout measured idle time only).
  // A valid reply behind 400 spaces, a byte every 100 ms: 40 s and more to arrive, never idle.
  const slow = ' '.repeat(400) + validReply;
  const s = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    let i = 0;
    const timer = setInterval(() => {
      if (res.destroyed || i >= slow.length) {
        clearInterval(timer);
        if (!res.destroyed) res.end();
        return;
      }
      res.write(slow[i++]);
    }, 100);
    res.on('close', () => clearInterval(timer));
  });
  const { db, dir } = openTemp();
  const rec = settleSale(db);
  db.close();
  try {
    const t0 = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', 'core/cli/main.ts', 'upload', '--data', dir, '--endpoint', s.url, '--once', '--timeout', '1000'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const took = Date.now() - t0;
    assert.equal(code, 0, stdout);
    // tsx start-up is part of it; the drip alone takes over 40 s.
    assert.ok(took < 15_000, `cli upload took ${took} ms`);
    const out = JSON.parse(stdout) as { counts: Record<string, number> };
    assert.equal(out.counts.acked ?? 0, 0);
    const after = openDatabase(dir, { readonly: true });
    try {
      assert.equal(getOutboxBySettlement(after, rec.id)!.status, 'ambiguous');
    } finally {
      after.close();
    }
  } finally {
    await s.close();
  }
});
