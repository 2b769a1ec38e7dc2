// drizzle-kit config for the MySQL / MariaDB dialect: `npm run db:generate:mysql` writes
// migrations/mysql, which adapters/node/db-mysql.ts applies at start with drizzle's migrator.
import { defineConfig } from 'drizzle-kit'

// drizzle-kit loads its config through a default export, the one exception to named exports.
export default defineConfig({
  dialect: 'mysql',
  schema: './src/store/schema.mysql.ts',
  out: './migrations/mysql',
})
