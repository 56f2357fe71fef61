#!/bin/bash
# Apply pending Drizzle migrations; refuses to run against production without confirmation.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL must be set}"

if [[ "$DATABASE_URL" == *"prod"* && "${CONFIRM_PROD:-}" != "yes" ]]; then
  echo "Refusing to migrate a production database; set CONFIRM_PROD=yes to continue." >&2
  exit 1
fi

npx drizzle-kit migrate
