# syntax=docker/dockerfile:1
# Parley gateway image. Build: docker build -t parley .
# Run:   docker run -p 4000:4000 -v parley-data:/data -e NODE_ENV=production -e PARLEY_ISSUER=https://… -e PARLEY_TRUST_PROXY=1 parley
#        (behind the TLS-terminating proxy that serves the https issuer; PARLEY_TRUST_PROXY names it)

FROM node:22-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles its native module when no prebuilt binary fits.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
COPY config ./config
COPY bin ./bin
RUN npm run build && npm prune --omit=dev

FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    PARLEY_DATA_DIR=/data \
    PARLEY_GATEWAY_PORT=4000
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/config ./config
# Static assets of the sign-in pages are served from the source tree.
COPY --from=build /app/src/gateway/assets ./src/gateway/assets
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 4000
# Healthy means ready: the process serves and its database takes a write (/healthz only says it runs).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PARLEY_GATEWAY_PORT||4000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/parley.js"]
CMD ["gateway"]
