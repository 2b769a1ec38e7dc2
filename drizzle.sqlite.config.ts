// drizzle-kit config for the SQLite dialect (libsql on Node, D1 on Workers). The output folder keeps
// drizzle-kit's default layout because wrangler applies the same folder as D1 migrations.
import { defineConfig } from 'drizzle-kit'

// drizzle-kit loads its config through a default export, the one exception to named exports.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/store/schema.sqlite.ts',
  out: './migrations/sqlite',
})
