# Image of the API, the worker and the migration job (docker-compose.yml picks the command).
# Build stage: the full image has the compilers that native modules (bcrypt) fall back to without a prebuilt binary.
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

# Runtime stage: same Debian release as the build, so the native modules built there load here.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The captive portal's files: portal.zip is built from them.
COPY --from=build /app/portal ./portal
USER node
# The API's PORT; the worker's WORKER_METRICS_PORT (/metrics, /health, /ready).
EXPOSE 8000 9464
CMD ["node", "dist/api/server.js"]
