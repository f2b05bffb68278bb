import { defineConfig } from 'vite';

// The tab is served by the app server under /tab/, so assets use that base.
export default defineConfig({
  root: 'tab',
  base: '/tab/',
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
});
