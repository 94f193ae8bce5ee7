# syntax=docker/dockerfile:1
# Lectern: one image for every role (serve | worker | migrate | seed | schema).
#
#   docker build -t lectern .
#   docker run --rm -p 8080:8080 lectern            # embedded mode (SQLite in /app/data)

# ---- web app -----------------------------------------------------------------
# The frontend's production build (Vite), served by the binary at `/`.
FROM node:20-bookworm-slim AS web
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
COPY codegen/ /src/codegen/
COPY schema.graphql /src/schema.graphql
RUN npm run build

# ---- build -------------------------------------------------------------------
FROM rust:1-bookworm AS builder
WORKDIR /src
COPY . .
# Cache mounts keep the crate registry and build directory between builds, so
# a code change does not recompile every dependency. The binary is copied out
# because the cache mount is not part of the image.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked \
 && cp target/release/lectern /usr/local/bin/lectern

# ---- runtime -----------------------------------------------------------------
FROM debian:bookworm-slim
# ca-certificates: outgoing TLS (SMTP, OpenAI-compatible endpoints, payments).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# Never run as root. /app is the working directory, so embedded mode's
# ./data (SQLite file, .eml outbox) lands somewhere this user may write.
RUN useradd --system --uid 10001 --user-group --home-dir /app --create-home lectern \
    && install -d -o lectern -g lectern /app/models
COPY --from=builder /usr/local/bin/lectern /usr/local/bin/lectern
COPY --from=web /src/frontend/dist /app/web
# The manifest of this very build's operations: set TRUSTED_DOCUMENTS to it
# (and TRUSTED_DOCUMENTS_ONLY=true) to run only the web app's operations.
COPY --from=web /src/frontend/src/gql/persisted-documents.json /app/persisted-documents.json
WORKDIR /app
USER lectern
# The binary binds 127.0.0.1 by default; in a container it must listen on
# every interface or published ports reach nothing.
ENV HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/app/data \
    FRONTEND_DIR=/app/web
EXPOSE 8080
# No HEALTHCHECK here: the slim image has no curl; docker-compose.yml checks
# /readyz with bash's /dev/tcp instead.
ENTRYPOINT ["lectern"]
CMD ["serve"]
