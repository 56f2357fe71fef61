#!/bin/bash
# Benchmark csv2json on a generated 1 GB file and print peak memory.
set -euo pipefail

input=$(mktemp --suffix=.csv)
trap 'rm -f "$input"' EXIT

bun run bench/generate.ts --size 1GB --out "$input"
/usr/bin/time -v bun run src/main.ts --ndjson "$input" > /dev/null 2> bench.log
grep -E "Elapsed|Maximum resident" bench.log
