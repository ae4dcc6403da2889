#!/usr/bin/env bash
# Builds the DocC documentation of the libraries a client embeds with warnings as errors, so a
# broken ``Symbol`` link or a malformed doc comment fails CI instead of shipping.
#
#   bash scripts/check-docs.sh            # ImprovementCore (with its DocC catalog), ImprovementModel, ImprovementAnalysis
#   bash scripts/check-docs.sh TARGET...  # only these targets
set -euo pipefail
cd "$(dirname "$0")/.."

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(ImprovementCore ImprovementModel ImprovementAnalysis)

for target in "${targets[@]}"; do
    echo "== Documentation of $target (swift package generate-documentation --warnings-as-errors)"
    swift package generate-documentation --target "$target" --warnings-as-errors
done
echo "Documentation builds without warnings: ${targets[*]}"
