#!/usr/bin/env bash
# Builds the container image with docker when a Docker engine answers, else with buildah
# (daemonless; installed from Debian when missing and root; docker image format, so the
# HEALTHCHECK is kept).
#   IMAGE=saha:local scripts/image.sh
# Base images come from the registry; where none is reachable, set SAHA_IMAGE_BASES to a script
# that builds them locally (node:22-bookworm-slim, python:3.11-slim-bookworm) and they are used
# without pulling.
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=${IMAGE:-saha:local}
BUILD_ID=${SAHA_BUILD_ID:-$(git rev-parse --short HEAD 2>/dev/null || echo image)}

if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  exec docker build --build-arg "SAHA_BUILD_ID=$BUILD_ID" -t "$IMAGE" .
fi

export STORAGE_DRIVER=${STORAGE_DRIVER:-vfs} BUILDAH_ISOLATION=${BUILDAH_ISOLATION:-chroot}
if ! command -v buildah >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah >/dev/null
  else
    echo "neither a Docker engine nor buildah: install one (sudo apt-get install buildah)" >&2
    exit 1
  fi
fi
if [ -n "${SAHA_IMAGE_BASES:-}" ]; then bash "$SAHA_IMAGE_BASES" >/dev/null; fi

bases=(docker.io/library/node:22-bookworm-slim docker.io/library/python:3.11-slim-bookworm)
pull=--pull=never
for b in "${bases[@]}"; do
  buildah images --format '{{.Name}}:{{.Tag}}' | grep -qx "$b" || pull=--pull
done
certs=()
[ -d /etc/ssl/certs ] && certs=(-v /etc/ssl/certs:/etc/ssl/certs:ro)  # the build's downloads trust what this machine trusts
exec buildah bud --format docker --network host "$pull" "${certs[@]}" --build-arg "SAHA_BUILD_ID=$BUILD_ID" -t "$IMAGE" .
