import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));

// The service serves the build at /console from dist/console (src/console/serve-console.ts).
export default defineConfig({
  root: webRoot,
  base: '/console/',
  plugins: [preact()],
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    // `npx vite --config web/vite.config.ts` during development: the API runs on its usual port.
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
});
