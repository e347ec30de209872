/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The Go API listens on 127.0.0.1:3000 in development; the SPA is served by
// Vite on 5173 and forwards /api there so requests stay same-origin.
export default defineConfig({
  plugins: [react()],
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    proxy: {
      '/api': {
        target: 'http://127.0.0.1:3000',
        changeOrigin: false,
        // GET /api/live upgrades to the live schedule's WebSocket.
        ws: true,
      },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    // userEvent-driven form tests take ~2 s on a busy 2-core CI machine;
    // 5 s (the default) flaked there.
    testTimeout: 20_000,
    restoreMocks: true,
    unstubGlobals: true,
  },
});
