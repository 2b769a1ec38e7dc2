// A D1 binding that records every statement drizzle prepares on it: for tests that bound what a
// request or a job costs in D1.
export const countingDb = (db: D1Database, statements: string[]): D1Database =>
  new Proxy(db, {
    get(target, prop) {
      const value = Reflect.get(target, prop)
      if (prop === 'prepare') {
        return (query: string) => (statements.push(query), target.prepare(query))
      }
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
