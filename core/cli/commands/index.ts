// Every CLI command, by name. A service method needs no command (`call METHOD` reaches every method
// of core/service/contract.ts); a command here is for work outside the service or a shorter form.
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
import { METHOD_COMMANDS } from './call.ts';

export const COMMANDS: Command[] = [quoteCommand, identifyCommand, ...DATA_COMMANDS, ...SETTLEMENT_COMMANDS, ...PLATFORM_COMMANDS, reportCommand, capitationCommand, filingCommand, supervisionCommand, ...UNCOVERED_COMMANDS, ...METHOD_COMMANDS];
