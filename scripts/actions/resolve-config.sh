#!/usr/bin/env bash
# Writes the one .github/sigstorm.yml every job of a run uses (.github/workflows/validate.yml).
#   resolve-config.sh <checkout> <base> <file>   (env CONFIG: the workflow's `config` input)
# CONFIG `base64:<text>`: the config the App resolved once for this run; `none`: the App found no
# file (defaults); empty: the fork's file as of the base commit, as the App would read it from the
# base branch, so a pull request cannot loosen its own gate. Writes <file> when there is a config
# (none: no file) and prints its sha256, so every job's log shows the same one.
set -euo pipefail
checkout=$1 base=$2 file=$3
rm -f "$file"
case "${CONFIG:-}" in
  none) echo "sigstorm: no .github/sigstorm.yml (the dispatcher found none): defaults"; exit 0 ;;
  base64:*)
    if ! printf '%s' "${CONFIG#base64:}" | base64 -d > "$file" 2>/dev/null; then
      echo "::error::sigstorm: the config input is not valid base64 (expected base64:<text>, none or empty)"
      exit 1
    fi
    from="the config input" ;;
  "")
    if ! git -C "$checkout" show "$base:.github/sigstorm.yml" > "$file" 2>/dev/null; then
      rm -f "$file"
      echo "sigstorm: no .github/sigstorm.yml at $base: defaults"
      exit 0
    fi
    from=".github/sigstorm.yml at $base" ;;
  *) echo "::error::sigstorm: the config input must be base64:<text>, none or empty, not ${CONFIG:0:20}…"; exit 1 ;;
esac
echo "sigstorm: config from $from, sha256 $(sha256sum "$file" | cut -c1-64)"
