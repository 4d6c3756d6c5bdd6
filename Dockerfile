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
RUN make -j"$(nproc)" build/hotlined

# Runtime stage: only the shared libraries and the binary; runs as an unprivileged user.
FROM debian:12-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libmicrohttpd12 libjansson4 libpq5 libcurl4 libssl3 tzdata curl ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin hotline
COPY --from=build /src/build/hotlined /usr/local/bin/hotlined
USER 10001:10001
ENV HOTLINE_LISTEN=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["/usr/local/bin/hotlined"]
CMD ["serve"]
