# edgeload on Node: SQLite by default in /app/data (a volume), keys in memory; DATABASE_DSN and
# REDIS_DSN switch to PostgreSQL, MySQL or remote libSQL and Redis (see .env.example).

# Stage 1: the admin console and the server bundle. Vite, Preact and esbuild are devDependencies,
# so they live only here. No install script is needed to run vite or esbuild's API, and skipping
# them spares compiling better-sqlite3, which only the tests use.
FROM node:22-bookworm-slim AS build
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY admin ./admin
COPY src ./src
COPY adapters ./adapters
# Builds admin/dist (vite) and dist/node/ (esbuild), as `npm start` does, then stops.
RUN node adapters/node/start.mjs --build-only

# Stage 2: production dependencies alone, in their own stage so npm's cache stays out of the image.
FROM node:22-bookworm-slim AS deps
WORKDIR /deps
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts

# Stage 3: the runtime. The bundle, migrations and console keep the layout the bundle resolves from
# import.meta.url: dist/node/ sits as deep as adapters/node/. No sources, tests, esbuild or tsx.
FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json ./
COPY --from=deps /deps/node_modules ./node_modules
COPY migrations ./migrations
COPY --from=build /build/admin/dist ./admin/dist
# main.mjs and its chunks (the PostgreSQL and MySQL drivers load from theirs on first use).
COPY --from=build /build/dist/node ./dist/node
# Docker copies this folder's owner and mode into a new volume: the database holds the admin key.
# 1000 is the image's `node` user, numeric so that runAsNonRoot policies can verify it.
RUN mkdir -m 700 data && chown 1000:1000 data
USER 1000:1000
EXPOSE 3001
VOLUME ["/app/data"]
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3001)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/node/main.mjs"]
