#!/bin/sh
# Installs the npm dependencies when they are missing or older than the lock file,
# so `npm start` / `npm test` work straight after `git clone`.
set -e
cd "$(dirname "$0")/../.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "newswire: installing npm dependencies (npm ci)..." >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
