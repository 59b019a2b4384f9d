// Filing uploads over the wire: envelopes to the loopback platform simulator (which does not
// implement 2503, so it refuses: the refusal is recorded with its msgid), and a platform that is
// down (the upload stays pending for a retry).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileAtCounter, uploadFilings, type FilingInstitution } from '../../core/filing/index.ts';
import { platformFilingTransport } from '../../core/filing/transport.ts';
import { uploadsOf } from '../../core/store/filing.ts';
import { PlatformClient } from '../../core/platform/client.ts';
import { loadPlatformConfig } from '../../core/platform/config.ts';
import { startSimulator } from '../../core/simulator/index.ts';
import { withDbAsync } from '../helpers/store-fixtures.ts';

const inst: FilingInstitution = { code: 'H42070000001', name: '某镇卫生院', type: 'clinic', level: 1, policy: 'ezhou', isPublic: true };
const person = { name: '张三丰', certno: '11010519491231002X', insurance: 'resident' as const };

test('filing messages go out as national envelopes with 30-character msgids; refusals and outages are kept apart', async () => {
  const simDir = mkdtempSync(join(tmpdir(), 'lbc-sim-d-'));
  const sim = await startSimulator({ dataDir: simDir, port: 0 });
  try {
    await withDbAsync(async (db) => {
      const out = fileAtCounter(db, { request: { kind: 'new', psnNo: 'P1', date: '2025-03-01', doctor: { name: '王医生' }, conditions: ['hypertension'], person }, institution: inst, operator: { id: 'op', name: '王' } });
      const region = loadPlatformConfig().region('ezhou');
      const client = new PlatformClient(sim.url, { path: region.transport.path, timeoutMs: 5000 });
      try {
        const r = await uploadFilings(db, platformFilingTransport(db, { client, region, institution: inst, operator: { id: 'op', name: '王' } }));
        const [u] = uploadsOf(db, out.filing.id);
        // Either the simulator learns 2503 one day (acked) or refuses it; never ambiguous or lost.
        assert.equal(r.acked + r.rejected, 1, JSON.stringify(r));
        assert.ok(u!.msgid && u!.msgid.length === 30 && u!.msgid.startsWith(inst.code), String(u!.msgid));
        if (u!.status === 'rejected') assert.match(u!.lastError ?? '', /2503/);
      } finally {
        client.close();
      }
      // The platform down: nothing delivered, the upload waits for a retry.
      fileAtCounter(db, { request: { kind: 'new', psnNo: 'P2', date: '2025-03-01', doctor: { name: '王医生' }, conditions: ['diabetes'], person }, institution: inst, operator: { id: 'op', name: '王' } });
      const dead = new PlatformClient('http://127.0.0.1:9/', { timeoutMs: 2000 });
      try {
        const r2 = await uploadFilings(db, platformFilingTransport(db, { client: dead, region, institution: inst, operator: { id: 'op', name: '王' } }));
        assert.equal(r2.retry, 1, JSON.stringify(r2));
      } finally {
        dead.close();
      }
    });
  } finally {
    await sim.close();
    rmSync(simDir, { recursive: true, force: true });
  }
});
