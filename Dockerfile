# edgeload on Node: SQLite by default in /app/data (mount a volume there), memory key store.

# Stage 1: the admin console. Vite and Preact are devDependencies, so they live only here; no
# install script is needed to run vite, so none runs.
FROM node:22-bookworm-slim AS console
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY admin ./admin
RUN npx vite build admin

# Stage 2: the gateway, with production dependencies and the built console only.
FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY adapters ./adapters
COPY migrations ./migrations
COPY --from=console /build/admin/dist ./admin/dist
COPY admin/build.mjs ./admin/
RUN node adapters/node/start.mjs --build-only
# Docker copies this folder's mode into a new volume: the database holds the admin key.
RUN mkdir -m 700 data
EXPOSE 3001
VOLUME ["/app/data"]
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3001)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "adapters/node/start.mjs"]
