#!/usr/bin/env bash
# scripts/seaweedfs.sh: build SeaweedFS's `weed`, a real S3-compatible server, for weft's tests.
#
# weft's S3 blob store is tested against a real S3 server, not a mock. None is packaged in Debian;
# SeaweedFS is served by the Go module proxy, so this builds `weed` from it once, into a cache
# outside the repo (like temporal-dev.sh builds the Temporal CLI). Nothing downloads at run time.
#
#   bash scripts/seaweedfs.sh build   build if missing (idempotent), then print weed=<path>
#   bash scripts/seaweedfs.sh path    print weed=<path>, or fail saying how to build it
#
# The tests start `weed server -s3` themselves (test/support/s3-server.ts) on free loopback ports.
set -euo pipefail

# ---- Pinned version -----------------------------------------------------------------------------
# A pseudo-version of github.com/seaweedfs/seaweedfs (its module path has no semver tags past v0).
# Its go.mod has a `replace` directive, which `go install pkg@version` refuses, so the module is
# downloaded with `go mod download` and built in a writable copy of its directory.
readonly SEAWEEDFS_MODULE=github.com/seaweedfs/seaweedfs
readonly SEAWEEDFS_VERSION=v0.0.0-20261109003541-7506e5f91cd6
readonly GO_MIN_VERSION=1.26.6 # the `go` line of that go.mod

say() { printf 'seaweedfs.sh: %s\n' "$*" >&2; }
die() {
  printf 'seaweedfs.sh: error: %s\n' "$*" >&2
  exit 1
}

CACHE_DIR=${WEFT_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:?HOME is not set: set WEFT_CACHE_DIR}/.cache}/weft}
readonly CACHE_DIR
readonly WEED_DIR=$CACHE_DIR/seaweedfs-$SEAWEEDFS_VERSION
readonly DEFAULT_WEED=$WEED_DIR/bin/weed
readonly WEED=${WEFT_WEED:-$DEFAULT_WEED} # WEFT_WEED: a `weed` built or installed elsewhere
readonly LOG_DIR=$CACHE_DIR/logs

how_to_get() {
  cat >&2 <<MSG
seaweedfs.sh: weft's S3 blob-store tests need SeaweedFS's 'weed' (a real S3-compatible server).
  Build it once (Go >= $GO_MIN_VERSION, about 5 minutes on 2 cores, ~230 MB):
      bash scripts/seaweedfs.sh build        (npm test runs this)
  or point WEFT_WEED at a 'weed' you have (https://github.com/seaweedfs/seaweedfs/releases).
MSG
}

# version_ge A B: true when dotted version A >= B.
version_ge() {
  local IFS=.
  local -a a b
  read -r -a a <<<"${1%%[!0-9.]*}"
  read -r -a b <<<"${2%%[!0-9.]*}"
  local i
  for ((i = 0; i < 3; i++)); do
    local x=${a[i]:-0} y=${b[i]:-0}
    if ((10#$x > 10#$y)); then return 0; fi
    if ((10#$x < 10#$y)); then return 1; fi
  done
  return 0
}

check_go() {
  command -v go >/dev/null 2>&1 || {
    how_to_get
    die "no 'go' on PATH. Building SeaweedFS needs Go >= $GO_MIN_VERSION (https://go.dev/doc/install)."
  }
  local have
  have=$(go env GOVERSION 2>/dev/null) || die "'go env GOVERSION' failed: is Go installed correctly?"
  have=${have#devel }
  have=${have#go}
  version_ge "$have" "$GO_MIN_VERSION" ||
    die "Go $have is too old: SeaweedFS $SEAWEEDFS_VERSION needs Go >= $GO_MIN_VERSION. Put a newer Go first on PATH."
}

PARTIAL=
BUILD_PID=
cleanup() {
  if [[ -n $BUILD_PID ]]; then kill "$BUILD_PID" 2>/dev/null || true; fi
  if [[ -n $PARTIAL ]]; then
    chmod -R u+w "$PARTIAL" 2>/dev/null || true # module copies are read-only
    rm -rf "$PARTIAL"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# One build at a time per cache directory (its own lock file: temporal-dev.sh's may be held).
take_lock() {
  mkdir -p "$CACHE_DIR"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$CACHE_DIR/.seaweedfs.lock"
    if ! flock -n 9; then
      say "waiting for another seaweedfs.sh build using $CACHE_DIR ..."
      flock 9
    fi
    local p
    for p in "$CACHE_DIR"/.partial-seaweedfs.*; do
      [[ -e $p ]] || continue
      chmod -R u+w "$p" 2>/dev/null || true
      rm -rf "$p"
    done
  fi
}

# run_logged LOG WHAT CMD...: run CMD with its output in LOG, saying every 30 s that it still runs.
run_logged() {
  local log_file=$1 what=$2
  shift 2
  "$@" >>"$log_file" 2>&1 </dev/null &
  BUILD_PID=$!
  local started=$SECONDS next=30 status=0
  while kill -0 "$BUILD_PID" 2>/dev/null; do
    sleep 1
    if ((SECONDS - started >= next)); then
      say "  ... $what: $((SECONDS - started)) s so far"
      next=$((next + 30))
    fi
  done
  wait "$BUILD_PID" || status=$?
  BUILD_PID=
  if ((status == 0)); then say "  $what: done in $((SECONDS - started)) s"; fi
  return "$status"
}

fail_with_log() {
  printf 'seaweedfs.sh: last lines of %s:\n' "$2" >&2
  tail -n 20 "$2" | sed 's/^/    /' >&2
  how_to_get
  die "$1 failed; the whole log is $2"
}

build_weed() {
  if [[ -x $WEED ]]; then return 0; fi
  [[ -z ${WEFT_WEED:-} ]] || die "WEFT_WEED=$WEFT_WEED is not an executable file. Unset it to build SeaweedFS here."
  check_go
  mkdir -p "$LOG_DIR"
  local log_file=$LOG_DIR/seaweedfs-$SEAWEEDFS_VERSION-build.log
  : >"$log_file"
  PARTIAL=$(mktemp -d "$CACHE_DIR/.partial-seaweedfs.XXXXXX")
  chmod 755 "$PARTIAL"
  say "Building SeaweedFS ($SEAWEEDFS_VERSION) 'weed' from the Go module proxy, for the S3 tests."
  say "  First time only: about 5 minutes on 2 cores. Log: $log_file"
  # GOTOOLCHAIN=local: never fetch another Go toolchain; GOFLAGS cleared so a user's -mod=... cannot
  # interfere. The module cache keeps the download; the source copy is removed after the build.
  local json dir
  json=$(env GOTOOLCHAIN=local GOFLAGS= go mod download -json "$SEAWEEDFS_MODULE@$SEAWEEDFS_VERSION" 2>>"$log_file") ||
    fail_with_log "go mod download $SEAWEEDFS_MODULE@$SEAWEEDFS_VERSION" "$log_file"
  dir=$(printf '%s' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
  [[ -n $dir && -d $dir ]] || {
    printf '%s\n' "$json" >>"$log_file"
    fail_with_log "finding the downloaded module directory" "$log_file"
  }
  cp -r "$dir" "$PARTIAL/src"
  chmod -R u+w "$PARTIAL/src"
  mkdir -p "$PARTIAL/bin"
  if ! (cd "$PARTIAL/src" && run_logged "$log_file" "go build ./weed" \
    env GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false \
    go build -trimpath -ldflags "-s -w" -o "$PARTIAL/bin/weed" ./weed); then
    fail_with_log "Building SeaweedFS" "$log_file"
  fi
  local version
  version=$("$PARTIAL/bin/weed" version 2>&1) || fail_with_log "Running the new weed" "$log_file"
  rm -rf "$PARTIAL/src"
  mkdir -p "$(dirname "$WEED_DIR")"
  if ! mv -T "$PARTIAL" "$WEED_DIR" 2>/dev/null; then
    [[ -x $DEFAULT_WEED ]] || die "could not move the build to $WEED_DIR."
  fi
  PARTIAL=
  say "  weed: $DEFAULT_WEED ($version)"
}

main() {
  local command=${1:-build}
  case $command in
    build)
      take_lock
      build_weed
      say "ready: $WEED"
      printf 'weed=%s\n' "$WEED"
      ;;
    path)
      [[ -x $WEED ]] || {
        how_to_get
        die "weed is not built ($WEED is missing): run 'bash scripts/seaweedfs.sh build'."
      }
      printf 'weed=%s\n' "$WEED"
      ;;
    help | -h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' ;;
    *) die "unknown command '$command' (use build or path)" ;;
  esac
}

main "$@"
