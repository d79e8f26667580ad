# The hotline backend: compiled TypeScript on Node 26 (the Active LTS line since October 2026).
FROM node:26-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev

FROM node:26-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The call-event spool (SPOOL_DIR) lives here on a named volume: Docker seeds a new volume with this
# directory's owner, so the app user can write it.
RUN mkdir -p /spool && chown node:node /spool
USER node
EXPOSE 3000
CMD ["node", "dist/main.js"]
