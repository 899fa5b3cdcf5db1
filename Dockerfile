# syntax=docker/dockerfile:1
# calltrack gateway image. Production runs drachtio-server, FreeSWITCH and Redis from their own
# official images beside it; this image holds only the Node.js gateway.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY config ./config
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    DIALPLAN_DIR=/app/dialplans \
    HTTP_PORT=9464
WORKDIR /app
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
COPY --chown=root:root config ./config
# the sample dialplans; mount the real ones over /app/dialplans (read-only is fine: the gateway
# only reads them; lifecycle commands run where the files are administered)
COPY --chown=root:root dialplans ./dialplans
USER node
EXPOSE 9464
# The health endpoint (/healthz on HTTP_PORT) arrives with the call path; until then the image
# has no HEALTHCHECK rather than one that would always fail.
CMD ["node", "dist/src/main.js"]
