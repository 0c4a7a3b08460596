# syntax=docker/dockerfile:1
# The production image of csat-subgraph (docs/deploy.md). Four stages:
#   build    npm ci (dev dependencies: TypeScript) + npm run build -> dist/
#   demo     the build stage as is: the dev Tickets subgraph and gateway of compose.yaml (never production)
#   deps     npm ci --omit=dev
#   runtime  (the default target) deps' node_modules, the compiled service only, a non-root user
# The Node version matches package.json's `node` devDependency, which npm test runs on (test/deploy.files.test.ts).
ARG NODE_IMAGE=node:24.21.0-trixie-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Dependencies first: this layer is reused until package.json or the lockfile changes.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# Development servers with their dev dependencies: compose.yaml runs the reference Tickets subgraph
# (dev/tickets/), the gateway (dev/gateway/) and the demo seed from it. Never deploy this target.
FROM build AS demo
ENV HOST=0.0.0.0
USER 1000:1000
CMD ["node", "dist/dev/tickets/main.js"]

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
# HOST: the service listens on 127.0.0.1 unless told otherwise, which nothing outside a container can reach.
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4001
# Files stay root's and read-only to the service; package.json makes dist/ ES modules ("type": "module").
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
# What the runtime reads: the service, its migrations, the release scripts (migrate, rollups) and the published SDL.
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/migrations ./dist/migrations
# The texts the rating page and the email fragment share with the web components (web/src/catalogue.ts), and the
# rating page's script (csat-rate-page.js, bundled by npm run build: the runtime has no esbuild).
COPY --from=build /app/dist/web ./dist/web
COPY --from=build /app/dist/scripts/migrate.js /app/dist/scripts/rollups-check.js /app/dist/scripts/rollups-rebuild.js /app/dist/scripts/rollups.options.js ./dist/scripts/
COPY --from=build /app/dist/schema.graphql ./dist/schema.graphql
# The image's `node` user, by number so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 4001
# Liveness without curl (the slim image has none): exit 0 on a 2xx from /healthz within 2 s.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4001)+'/healthz',{signal:AbortSignal.timeout(2000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM drains: readiness 503 for SHUTDOWN_DELAY_MS, then in-flight requests finish within SHUTDOWN_GRACE_MS.
# Give the container a stop timeout above their sum (15 s by default): `docker stop -t 20`, compose's
# stop_grace_period, Kubernetes' terminationGracePeriodSeconds (docs/deploy.md).
STOPSIGNAL SIGTERM
# Exec form, no shell and no npm in between: node is PID 1 and receives SIGTERM itself.
# Other commands of the same image: node dist/src/worker.main.js (webhook worker), node dist/scripts/migrate.js (migrations).
CMD ["node", "dist/src/main.js"]
