# syntax=docker/dockerfile:1
# Referral CRM API. Build: docker build -t referral-crm .
# Run:   docker run -p 3000:3000 -v crm-data:/data referral-crm        (embedded PGlite in /data)
#   or   docker run -p 3000:3000 -e DATABASE_URL=postgres://... -e JWT_SECRET=... -e PII_KEY=... referral-crm

# --- build: compile TypeScript with the full toolchain ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- runtime: production dependencies, compiled code, migrations and the GraphQL schema ---
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY migrations ./migrations
COPY schema ./schema
# PGlite data (and generated secrets when JWT_SECRET/PII_KEY are not given) live in /data.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Not `npm start`: its prestart would rebuild. Node receives SIGTERM directly and closes gracefully.
CMD ["node", "dist/server.js"]
