// Every CLI command, by name. Add a command by adding its module here.
import type { Command } from '../io.ts';
import { quoteCommand } from './quote.ts';
import { identifyCommand } from './identify.ts';
import { SETTLEMENT_COMMANDS } from './settlement.ts';

export const COMMANDS: Command[] = [quoteCommand, identifyCommand, ...SETTLEMENT_COMMANDS];
