# Pingfold on Debian slim: Deno from npm, the scanners from Debian, a non-root user.
FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends fping nmap iputils-ping libcap2-bin ca-certificates \
 && rm -rf /var/lib/apt/lists/*
RUN npm install -g deno@2.9.6 \
 && setcap cap_net_raw+ep /usr/bin/fping \
 && setcap cap_net_raw+ep /usr/bin/nmap
RUN useradd --system --create-home --home-dir /app pingfold
WORKDIR /app
COPY --chown=pingfold:pingfold . .
USER pingfold
RUN deno install && deno task build
ENV HOST=0.0.0.0 PORT=8000 DATA_DIR=/app/data NETFLOW_BIND_HOST=0.0.0.0
VOLUME ["/app/data"]
EXPOSE 8000 2055/udp
HEALTHCHECK CMD ["deno", "eval", "const r = await fetch('http://127.0.0.1:8000/health'); Deno.exit(r.ok ? 0 : 1)"]
CMD ["deno", "run", "-A", "--unstable-kv", "--unstable-cron", "--unstable-net", "--v8-flags=--max-semi-space-size=2,--no-liftoff,--wasm-lazy-compilation", "main.ts"]
