// Builds the viewer's pages into dist/web/app (run by `npm run build`); the server reads them from there.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../../../dist/web/app', import.meta.url)),
    emptyOutDir: true,
    // One script and one stylesheet: nothing inline, so the Content-Security-Policy can forbid inline script.
    modulePreload: false,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1500,
    reportCompressedSize: false,
  },
});
