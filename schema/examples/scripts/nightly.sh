#!/bin/bash
# Run the nightly churn flow: features, training, evaluation, promotion.
set -euo pipefail

prefect deployment run "churn/nightly" --watch
