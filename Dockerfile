# syntax=docker/dockerfile:1
# 1) build the PWA
FROM node:22-bookworm-slim AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
ARG SAHA_BUILD_ID=docker
ENV SAHA_BUILD_ID=${SAHA_BUILD_ID}
RUN npm run build

# 2) install the backend into a virtualenv
FROM python:3.11-slim-bookworm AS backend
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN python -m venv /venv
COPY pyproject.toml README.md ./
COPY backend/ backend/
COPY sync/ sync/
RUN /venv/bin/pip install .

# 3) run
FROM python:3.11-slim-bookworm
RUN useradd --system --uid 10001 --home /data saha && mkdir -p /data && chown saha /data
COPY --from=backend /venv /venv
COPY --from=backend /app /app
COPY --from=frontend /src/frontend/dist /app/frontend/dist
WORKDIR /app
ENV PATH=/venv/bin:$PATH \
    SAHA_DATA_DIR=/data \
    SAHA_FRONTEND_DIST=/app/frontend/dist \
    SAHA_HOST=0.0.0.0 \
    PORT=8000
USER saha
EXPOSE 8000
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz')"
CMD ["sh", "-c", "python -m backend init && exec python -m backend serve"]
