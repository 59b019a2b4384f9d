// Every benchmark suite `npm run bench` runs, in order. Add a suite by adding its module here.
import type { BenchSuite } from '../harness.ts';
import { reportsSuite } from './reports.ts';
import { policySuite } from './policy.ts';
import { uiSuite } from './ui.ts';
import { outboxSuite } from './outbox.ts';
import { dataSuite } from './data.ts';
import { saleSuite } from './sale.ts';
import { hubSuite } from './hub.ts';

export const SUITES: BenchSuite[] = [policySuite, dataSuite, saleSuite, uiSuite, outboxSuite, reportsSuite, hubSuite];
