// The console build (admin/build.mjs) for the e2e tests and the workerd project, whose
// wrangler.toml serves admin/dist as assets.
export { ensureAdminBuilt } from '../../admin/build.mjs'
