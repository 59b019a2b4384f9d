// Stock compliance through the service: the stocked two-disease drugs (core/store) against the
// minimum (core/supervision/stock, seed 000 §二.(三).6).
import type { Institution } from '../contract/institution.ts';
import type { DB } from '../store/db.ts';
import { stockedTwoDiseaseItems } from '../store/catalog.ts';
import { stockCompliance } from '../supervision/stock.ts';
import type { MethodOutput } from './contract.ts';

export function stockComplianceHere(db: DB, inst: Institution): MethodOutput<'stockCompliance'> {
  const r = stockCompliance(inst, stockedTwoDiseaseItems(db));
  return { institution: { code: inst.code, name: inst.name }, kindZh: r.kindZh, vbpDrugs: r.vbpDrugs, vbpMinimum: r.vbpMinimum, classes: r.classes, classMinimum: r.classMinimum, meets: r.meets, shortfallsZh: r.shortfallsZh };
}
