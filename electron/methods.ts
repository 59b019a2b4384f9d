// The IPC channel of each screen method (the methods themselves come from the one definition,
// SCREEN_METHODS in core/service/contract.ts) and the shell's own print and printer-list channels.
export const channel = (method: string) => `counter:${method}`;
export const PRINT_CHANNEL = 'shell:print';
/** The printers the system knows (the settings page's list). */
export const PRINTERS_CHANNEL = 'shell:printers';
