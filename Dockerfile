# syntax=docker/dockerfile:1
# One Parley image for both services; the command chooses which one runs:
#   docker build -t parley .
#   docker run … parley gateway        the OpenID Connect gateway on PARLEY_GATEWAY_PORT (4000)
#   docker run … parley comments       the comment service on PARLEY_COMMENTS_PORT (4100)
#   docker run … parley keys rotate    any other `parley` command, e.g. the first signing key
# Production settings come from the environment (deploy/.env.example lists them); deploy/ has a
# docker-compose.yml that runs two of each behind nginx on PostgreSQL and Redis.
# A single instance on SQLite needs a volume at /data (PARLEY_DATA_DIR) instead of DATABASE_URL.

# Node 22 LTS: oidc-provider 9 warns on Node 20 (DESIGN.md).
FROM node:22-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles its native module when no prebuilt binary fits.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
# The verifier's source, bundled into dist/verify.js (its package.json is not needed: npm ci above
# leaves the workspace out when it is absent).
COPY packages/verify/src ./packages/verify/src
COPY config ./config
COPY bin ./bin
# dist/: the `parley` command, the verifier and the widget; then the dev dependencies go.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    PARLEY_DATA_DIR=/data \
    PARLEY_GATEWAY_PORT=4000 \
    PARLEY_COMMENTS_PORT=4100
WORKDIR /app
# Everything the program reads at run time, and nothing else (no sources, tests or dev tools):
# package.json and config/ (PROJECT_ROOT is the folder holding both; config/sites.json is the
# default sites file), the production node_modules, dist/ (the bundle, the verifier, the widget
# served at /widget.js), bin/ (the entry point), the sign-in pages' static assets (served from
# src/gateway/assets) and the health check. Migrations are compiled into dist/cli.js.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/config ./config
COPY --from=build /app/src/gateway/assets ./src/gateway/assets
COPY deploy/healthcheck.js ./deploy/healthcheck.js
# /data is only used on SQLite (no DATABASE_URL); the image declares no VOLUME, so scaled-out
# containers on PostgreSQL do not each get an anonymous volume they never write to.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 4000 4100
# Healthy means ready (/readyz: it serves and its database and Redis answer; /healthz only says it
# runs). One line for both services: the script asks whichever of the two ports listens.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "deploy/healthcheck.js"]
ENTRYPOINT ["node", "bin/parley.js"]
CMD ["gateway"]
