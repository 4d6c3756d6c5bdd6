# hotlined container image. Build from the repository root:
#   docker build -t hotline/hotlined:$(cat VERSION) .
# The final stage holds the binary and its shared libraries only, runs as an unprivileged
# numeric user (so Kubernetes can check runAsNonRoot), writes nothing to its filesystem (so it
# runs with a read-only root) and reports its health on /healthz.

# Build stage: compile hotlined on Debian 12.
FROM debian:12-slim AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      make gcc libc6-dev pkg-config libmicrohttpd-dev libjansson-dev libpq-dev \
      libcurl4-openssl-dev libssl-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile VERSION ./
COPY tools tools
COPY service service
COPY migrations migrations
RUN make -j"$(nproc)" build/hotlined && ./build/hotlined --version

# Runtime stage: only the shared libraries and the binary; runs as an unprivileged user.
FROM debian:12-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libmicrohttpd12 libjansson4 libpq5 libcurl4 libssl3 tzdata curl ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 hotline \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin hotline
COPY --from=build /src/build/hotlined /usr/local/bin/hotlined
LABEL org.opencontainers.image.title="hotlined" \
      org.opencontainers.image.description="Ticketing service for customer-service telephone hotlines" \
      org.opencontainers.image.licenses="MIT"
USER 10001:10001
ENV HOTLINE_LISTEN=0.0.0.0:8080 \
    HOTLINE_LOG_LEVEL=info
EXPOSE 8080
# hotlined finishes in-flight requests on SIGTERM (up to 10 s) before it exits.
STOPSIGNAL SIGTERM
# Liveness only: /healthz never touches the database, so a database outage does not get
# healthy containers restarted. Readiness (/readyz) is for load balancers and Kubernetes.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["/usr/local/bin/hotlined"]
CMD ["serve"]
