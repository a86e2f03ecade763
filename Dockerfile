# syntax=docker/dockerfile:1
# Saha in one image: the PWA, the backend, and what sealed minutes PDFs need (WeasyPrint's Pango,
# fonts with Turkish glyphs). Data lives in the /data volume; secrets come from the environment
# (SAHA_*) or from files in /run/secrets (docker/compose secrets named saha_<setting>).
#   make image        build (docker, else buildah)
#   make image-test   build, start, check: health, sign-in, a sealed PDF made inside, restart

# 1) build the PWA
FROM node:22-bookworm-slim AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY frontend/ ./
ARG SAHA_BUILD_ID=docker
ENV SAHA_BUILD_ID=${SAHA_BUILD_ID}
RUN npm run build

# 2) install the backend into a virtualenv
FROM python:3.11-slim-bookworm AS backend
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN python -m venv /venv
COPY requirements.lock ./
RUN /venv/bin/pip install --quiet --no-deps -r requirements.lock
COPY pyproject.toml README.md ./
COPY backend/ backend/
COPY sync/ sync/
RUN /venv/bin/pip install --quiet --no-deps . \
 && /venv/bin/pip check \
 && /venv/bin/pip uninstall --quiet --yes pip setuptools \
 && find /venv -depth -type d \( -name tests -o -name test \) -path '*/site-packages/*' -exec rm -rf {} + \
 && /venv/bin/python -m compileall -q -j 0 /venv/lib >/dev/null

# 3) run
FROM python:3.11-slim-bookworm
# What the server needs from Debian (WeasyPrint's Pango/HarfBuzz; DejaVu fonts with the Turkish
# letters): deploy/runtime-packages.txt, the same list `make system-deps` installs and a test checks.
COPY deploy/runtime-packages.txt /tmp/runtime-packages.txt
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      $(sed 's/#.*//' /tmp/runtime-packages.txt) >/dev/null \
 && rm -rf /tmp/runtime-packages.txt /var/lib/apt/lists/* /var/cache/apt/* /usr/share/doc/* /usr/share/man/* \
 && useradd --system --uid 10001 --user-group --home-dir /data --no-create-home saha \
 && mkdir -p /data /run/secrets && chown saha:saha /data && chmod 0700 /data
COPY --from=backend /venv /venv
COPY --from=frontend /src/frontend/dist /app/frontend/dist
WORKDIR /app
ENV PATH=/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    SAHA_DATA_DIR=/data \
    SAHA_FRONTEND_DIST=/app/frontend/dist \
    SAHA_HOST=0.0.0.0 \
    PORT=8000
USER saha
EXPOSE 8000
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz')"
CMD ["sh", "-c", "python -m backend init && exec python -m backend serve"]
