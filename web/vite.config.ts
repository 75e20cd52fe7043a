import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The console is built into web/dist, which the Vigil server serves at `/`. */
export default defineConfig({
  root: 'web',
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Pages load on demand, so the first screen downloads only what it shows.
    rollupOptions: { output: { manualChunks: undefined } },
    sourcemap: false,
  },
  server: {
    // `npm run dev:web` proxies the API to a Vigil on :8080.
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/auth': 'http://127.0.0.1:8080',
      '/trust': 'http://127.0.0.1:8080',
    },
  },
});
