// drizzle-kit config for the PostgreSQL dialect (adapters/node/db-pg.ts applies migrations/pg).
import { defineConfig } from 'drizzle-kit'

// drizzle-kit loads its config through a default export, the one exception to named exports.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/store/schema.pg.ts',
  out: './migrations/pg',
})
