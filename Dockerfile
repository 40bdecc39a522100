# One image for every Pulse service (docker-compose.yml picks the entry point per service).
FROM node:20-bookworm-slim
WORKDIR /app
RUN npm install -g pnpm@10.34.9
COPY . .
RUN pnpm install --frozen-lockfile && pnpm run build
ENV NODE_ENV=production
