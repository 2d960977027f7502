#!/usr/bin/env bash
# Makes the commits a validation names present in the fork's checkout (.github/workflows/validate.yml).
#   fetch-commits.sh <checkout> <commit-or-ref>...   (env PULL: the pull request's number, if any)
# actions/checkout with fetch-depth 0 fetches branches and tags only: a pull request from another
# repository has its head at refs/pull/N/head, on no branch. Each commit that is missing is fetched
# by its sha (GitHub serves any commit its refs reach, refs/pull/* included), else from
# refs/pull/$PULL/head; a commit that still is not there fails the job saying which and why.
set -euo pipefail
checkout=$1
shift
for ref in "$@"; do
  if git -C "$checkout" rev-parse --quiet --verify "$ref^{commit}" >/dev/null; then continue; fi
  # A branch name the checkout has as origin/<name>: nothing to fetch; left to sigstorm as before.
  if git -C "$checkout" rev-parse --quiet --verify "refs/remotes/origin/$ref^{commit}" >/dev/null; then continue; fi
  if [[ "$ref" =~ ^[0-9a-f]{40}$ ]] && git -C "$checkout" fetch --quiet --no-tags origin "$ref"; then
    echo "sigstorm: fetched $ref by its sha"
  elif [[ "${PULL:-}" =~ ^[0-9]+$ ]] &&
    git -C "$checkout" fetch --quiet --no-tags origin "+refs/pull/$PULL/head:refs/remotes/pull/$PULL/head"; then
    echo "sigstorm: fetched refs/pull/$PULL/head for $ref"
  fi
  if ! git -C "$checkout" rev-parse --quiet --verify "$ref^{commit}" >/dev/null; then
    echo "::error::sigstorm: $ref is not a commit of $(git -C "$checkout" remote get-url origin) (not by its sha, not on a branch or tag${PULL:+, not at refs/pull/$PULL/head}); pass base and head as commit shas"
    exit 1
  fi
done
