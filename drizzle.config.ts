import { defineConfig } from 'drizzle-kit'

// Migrations are generated from src/db/schema and applied by the service at start.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema/index.ts',
  out: './migrations',
  casing: 'snake_case'
})
