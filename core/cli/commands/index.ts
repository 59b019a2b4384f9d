// Every CLI command, by name. Add a command by adding its module here.
import type { Command } from '../io.ts';
import { quoteCommand } from './quote.ts';
import { supervisionCommand } from './supervision.ts';
import { filingCommand } from './filing.ts';
import { capitationCommand } from './capitation.ts';
import { reportCommand } from './report.ts';
import { identifyCommand } from './identify.ts';
import { SETTLEMENT_COMMANDS } from './settlement.ts';
import { DATA_COMMANDS } from './data.ts';
import { PLATFORM_COMMANDS } from './platform.ts';
import { UNCOVERED_COMMANDS } from './uncovered.ts';

export const COMMANDS: Command[] = [quoteCommand, identifyCommand, ...DATA_COMMANDS, ...SETTLEMENT_COMMANDS, ...PLATFORM_COMMANDS, reportCommand, capitationCommand, filingCommand, supervisionCommand, ...UNCOVERED_COMMANDS];
