// The IPC channel names, kept free of imports so the sandboxed preload bundles to a few lines.
// test/unit/ui-bridge.test.ts checks this list equals the service contract's METHOD_NAMES; renderer/bridge.ts reuses it.
export const BRIDGE_METHODS = [
  'lookup', 'search', 'quote', 'settle', 'reverse', 'outboxStatus', 'attention', 'retryUpload', 'findSettlements', 'getSettlement',
  'print', 'operators', 'createOperator', 'signIn', 'signOut', 'getSettings', 'saveSettings', 'overrideBlock', 'report',
  'file', 'filingOffer', 'addCandidate', 'candidates', 'cashSale', 'stockCompliance',
] as const;

export const channel = (method: string) => `counter:${method}`;
export const PRINT_CHANNEL = 'shell:print';
