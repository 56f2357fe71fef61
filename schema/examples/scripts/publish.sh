#!/bin/bash
# Build, test and publish the library to npm and JSR.
set -euo pipefail

pnpm install --frozen-lockfile
pnpm test
pnpm build

npm publish --access public --provenance
if [ -n "${JSR_TOKEN:-}" ]; then
  npx jsr publish --token "$JSR_TOKEN"
fi
