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
    RECORD_SPOOL_DIR=/app/spool \
    DIALPLAN_CACHE_DIR=/app/dialplan-cache \
    RECORDING_DIR=/app/recordings \
    HTTP_PORT=9464 \
    HTTP_HOST=0.0.0.0
WORKDIR /app
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
COPY --chown=root:root config ./config
# the sample dialplans; mount the real ones over /app/dialplans (read-only is fine: the gateway
# only reads them; lifecycle commands run where the files are administered)
COPY --chown=root:root dialplans ./dialplans
# the record spool must survive the container: mount a volume here in production
RUN mkdir -p /app/spool && chown node:node /app/spool
# a follower's (DIALPLAN_SOURCE=redis) last good dialplan snapshot: on a volume, it starts and
# routes with it while Redis is down
RUN mkdir -p /app/dialplan-cache && chown node:node /app/dialplan-cache
# call recordings: FreeSWITCH writes <recordId>.wav, the gateway the sidecar and the sweep; the
# same volume must be mounted into FreeSWITCH at the same path
RUN mkdir -p /app/recordings && chown node:node /app/recordings
# voicemail messages until mailed: FreeSWITCH records <recordId>.wav, the gateway keeps the note
# and deletes both once delivered; shared with FreeSWITCH like the recordings, and kept across
# restarts so an undelivered message is never lost
RUN mkdir -p /app/voicemail && chown node:node /app/voicemail
VOLUME ["/app/spool", "/app/dialplan-cache", "/app/recordings", "/app/voicemail"]
USER node
# HTTP_HOST=0.0.0.0 above: loopback inside the container would be unreachable for Prometheus and
# the orchestrator's probes; the container's own network namespace is the boundary here
EXPOSE 9464
# liveness of the process; readiness (drachtio connected, dialplans loaded) is /readyz for the
# orchestrator. The slim image has no curl: Node's fetch does the request.
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||9464)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/main.js"]
