#!/bin/bash
# Install dependencies and prepare a local database for development.
set -euo pipefail

corepack enable
pnpm install --frozen-lockfile

if [ ! -f .env.local ]; then
  cp .env.example .env.local
  echo "Created .env.local from .env.example; fill in the secrets before running the app."
fi

pnpm db:migrate
