// Catalogue download and mapping through the strict simulator: 1312 pages the national list into
// the local catalog (a new national code is added and searchable; an item we hold keeps its own
// code and prices, its 甲乙 class follows the platform; an invalid row is not taken), and
// `cli catalogue-mapping` uploads our own codes with 3301 after a 9001.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli } from '../helpers/cli.ts';
import { openDatabase } from '../../core/store/db.ts';
import { drugBarcode, seedFixture } from '../../core/app/fixture.ts';
import { startSimulator } from '../../core/simulator/index.ts';
import { missingField } from '../../core/simulator/required.ts';
import { PlatformClient } from '../../core/platform/client.ts';
import { loadPlatformConfig } from '../../core/platform/config.ts';
import { PlatformSession } from '../../core/outbox/session.ts';
import { downloadCatalogue } from '../../core/outbox/catalogue.ts';
import { getCatalogItem, itemsWithOwnCode, searchCatalog } from '../../core/store/catalog.ts';
import { requireInstitution } from '../../core/store/settings.ts';
import { tempDir } from '../helpers/settlement.ts';

test('1312 pages the national list into the catalog; our own items keep their codes and prices', async () => {
  const dir = tempDir('lbc-cat-');
  const db = openDatabase(dir);
  seedFixture(db, 'lincang');
  const held = getCatalogItem(db, drugBarcode(1))!;
  const NEW = 'XA10BAD999A001010100001';
  const sim = await startSimulator({
    dataDir: tempDir('lbc-sim-'),
    registry: {
      catalogue: [
        { hilist_code: held.code, hilist_name: '改过的名字', chrgitm_lv: '02' },
        { hilist_code: NEW, hilist_name: '测试格列净片', chrgitm_lv: '01' },
        { hilist_code: 'XC99ZZZ999A001010100009', hilist_name: '已失效药', vali_flag: '0' },
      ],
    },
  });
  const client = new PlatformClient(sim.url, { timeoutMs: 3000 });
  const config = loadPlatformConfig();
  try {
    const r = await downloadCatalogue({ db, client, session: new PlatformSession(db, client, config), config, now: () => new Date() }, requireInstitution(db), { pageSize: 2 });
    assert.equal(r.pages, 2, 'paged by the reply\'s page count');
    assert.equal(r.rows, 2, 'the invalid row is not taken');
    const added = getCatalogItem(db, NEW)!;
    assert.equal(added.generic_name, '测试格列净片');
    assert.equal(added.drug_class, '甲');
    assert.ok(searchCatalog(db, '格列净').some((h) => h.code === NEW), 'searchable at once');
    const after = getCatalogItem(db, held.code)!;
    assert.equal(after.generic_name, held.generic_name, 'our name stays');
    assert.equal(after.own_code, held.own_code);
    assert.equal(after.retail_price, held.retail_price);
    assert.equal(after.drug_class, '乙', 'the class follows the platform');
    assert.equal(getCatalogItem(db, 'XC99ZZZ999A001010100009'), null);
    const infnos = (sim.db.prepare('SELECT infno, request_json FROM sim_message ORDER BY rowid').all() as { infno: string; request_json: string }[]);
    assert.deepEqual(infnos.map((m) => m.infno), ['9001', '1312', '1312']);
    for (const m of infnos) assert.equal(missingField(JSON.parse(m.request_json)), null);
  } finally {
    client.close();
    db.close();
  }
  try {
    const own = (() => {
      const d = openDatabase(dir);
      try {
        return itemsWithOwnCode(d).length;
      } finally {
        d.close();
      }
    })();
    assert.ok(own > 0, 'the fixture has own codes');
    const map = await cli(['catalogue-mapping', '--data', dir, '--endpoint', sim.url]);
    assert.equal(map.status, 0, map.stderr);
    assert.equal(JSON.parse(map.stdout).sent, own);
    const sent = sim.db.prepare(`SELECT request_json FROM sim_message WHERE infno = '3301'`).all() as { request_json: string }[];
    assert.ok(sent.length >= 1);
    for (const m of sent) {
      const env = JSON.parse(m.request_json);
      assert.equal(missingField(env), null);
      for (const row of env.input.data) assert.ok(row.fixmedins_hilist_id && row.med_list_codg);
    }
  } finally {
    await sim.close();
  }
});
