#!/bin/bash
# Show what a Pulumi update would change, with policy checks, without applying it.
set -euo pipefail

stack="${1:-prod}"
pulumi login
pulumi preview --stack "$stack" --policy-pack policies/ --diff
