// The layer rules `npm run lint` enforces (run by .ci/run): the core never reaches into a shell or
// a screen, and the store, the ground floor, imports nothing from a domain folder.
module.exports = {
  forbidden: [
    {
      name: 'core-not-shell',
      comment: 'core/ is plain TypeScript shared by every shell: it never imports electron/ or renderer/',
      severity: 'error',
      from: { path: '^core/' },
      to: { path: '^(electron|renderer)/' },
    },
    {
      name: 'core-not-electron-module',
      comment: 'core/ never imports the electron package',
      severity: 'error',
      from: { path: '^core/' },
      to: { path: '^electron$|node_modules/electron/' },
    },
    {
      name: 'store-is-ground-floor',
      comment: 'core/store imports only core/contract, core/money, core/clock and itself',
      severity: 'error',
      from: { path: '^core/store/' },
      to: { path: '^core/', pathNot: '^core/(store|contract|money|clock)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|dist|dist-electron)/' },
  },
};
