// Builds the admin console to admin/dist: hashed files under /assets, which the gateway serves
// with a year-long immutable cache, and an index.html it serves with no-cache.
import preact from '@preact/preset-vite'
import { defineConfig } from 'vite'

export default defineConfig({
  plugins: [preact()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  // `npm run dev:admin`-style work against a running gateway: API calls go to it.
  server: { proxy: { '/api': 'http://127.0.0.1:3001' } },
})
