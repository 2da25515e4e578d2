# The hub as a container image (docs/OPERATIONS.md, "In a container").
#
#   docker build -t gallery-hub .
#   docker run -d --name gallery-hub -p 7700:7700 -v gallery-hub-data:/data gallery-hub
#   docker exec gallery-hub hub token S1 --link --host ADDRESS:7700
#
# The data folder (the secret that signs the tablets' tokens, and the event log) is the volume
# /data: keep it, back it up; the image itself holds nothing worth keeping.

# Build: the hub in release, from the locked dependencies.
ARG RUST_VERSION=1
FROM rust:${RUST_VERSION}-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p hub \
    && strip --strip-debug target/release/hub \
    && install -D -m 0755 target/release/hub /out/hub

# Run: a small Debian with the one binary (the pages are built into it), as a user of its own.
FROM debian:bookworm-slim
RUN groupadd --system --gid 10001 hub \
    && useradd --system --uid 10001 --gid hub --home-dir /data --no-create-home \
       --shell /usr/sbin/nologin hub \
    && mkdir /data && chown hub:hub /data && chmod 0700 /data
COPY --from=build /out/hub /usr/local/bin/hub
USER hub
WORKDIR /data
VOLUME /data
EXPOSE 7700
# `hub serve` takes these (every flag has its HUB_* variable: `docker run -e HUB_LOG_FORMAT=json`),
# and `hub token` and `hub repair` find the data folder by HUB_DATA too.
ENV HUB_LISTEN=0.0.0.0:7700 HUB_DATA=/data
# /healthz answers 200 when the hub can work, 503 naming what fails. The image has no curl or
# wget: bash's /dev/tcp asks, on HUB_LISTEN's port, and the status line decides.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${HUB_LISTEN##*:} && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && read -r status <&3 && [[ $status == HTTP/1.?' 200 '* ]]"]
# Exec form: the hub is PID 1 and gets `docker stop`'s SIGTERM itself. It closes every tablet
# with 4000 ("reconnect"), syncs the log and exits within a few seconds, inside Docker's 10 s.
STOPSIGNAL SIGTERM
ENTRYPOINT ["hub"]
CMD ["serve"]
