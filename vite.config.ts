// The counter screen: built once into dist/renderer and served by the loopback service (browser
// shell) or loaded from disk by Electron, so every asset path is relative.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome110',
    sourcemap: false,
    reportCompressedSize: true,
  },
  server: { host: '127.0.0.1' },
});
