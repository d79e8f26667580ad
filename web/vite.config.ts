import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// One page (登录 → 坐席工作台 or 班长监控 by role); each console and the charts are their own chunks.
export default defineConfig({
  root: __dirname,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    chunkSizeWarningLimit: 1500,
    // No inline module-preload polyfill script: the CSP allows scripts from this origin only.
    modulePreload: { polyfill: false },
    // Which chunks each page loads first (read by bench/consoles.bench.ts for the bundle sizes).
    manifest: true,
  },
});
