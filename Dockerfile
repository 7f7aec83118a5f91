# Safar for a VPS: `docker compose up -d` (compose.yaml), or see docs/deploy.md.
# Two stages: the build stage installs the package and compiles the translation catalogs;
# the runtime stage keeps only the virtualenv, the content and the catalogs, and runs as a
# user without privileges. The bot writes only to /data (the SQLite file and its secrets).

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN python -m venv /opt/venv && /opt/venv/bin/pip install --quiet .
COPY locales ./locales
# Compiled catalogs (.mo) are build output, never committed: made here from the .po files.
RUN /opt/venv/bin/pybabel -q compile --use-fuzzy -d locales -D safar

FROM python:3.11-slim
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin safar \
    && mkdir -p /app /data && chown safar:safar /data
COPY --from=build /opt/venv /opt/venv
COPY --from=build /src/locales /app/locales
COPY content /app/content
COPY campaigns /app/campaigns
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    SAFAR_CONTENT_DIR=/app/content \
    SAFAR_LOCALES_DIR=/app/locales \
    SAFAR_DB_PATH=/data/safar.sqlite3 \
    SAFAR_LISTEN=0.0.0.0 \
    SAFAR_PORT=8080 \
    SAFAR_LOG_FORMAT=json
USER safar
WORKDIR /app
VOLUME /data
EXPOSE 8080
# /healthz exists in webhook mode (SAFAR_WEBHOOK_URL set); a polling bot has no web server:
# run it with `--no-healthcheck` or `healthcheck: {disable: true}` in compose.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["safar", "healthcheck"]
ENTRYPOINT ["safar"]
CMD ["run"]
