#!/usr/bin/env bash
# temporal-dev.sh: build and run weft's local Temporal servers with nothing downloaded at run time.
#
# It builds two executables into a cache outside the repo, once, from package registries only:
#   - the Temporal CLI (dev server with the Web UI compiled in), from the Go module proxy;
#   - the time-skipping test server, from Maven Central, behind a small launcher script.
# Then it starts and stops the dev server with weft's search attributes registered.
# Run `./temporal-dev.sh --help` for the commands.
set -euo pipefail

# ---- Pinned versions ----------------------------------------------------------------------------
# CLI v1.5.1 is the last tag `go install` accepts: from v1.6.0 on, its go.mod has a `replace`
# directive for ./cliext, and building around it needs the cliext module at a commit, which the
# Go module proxy here does not serve.
readonly TEMPORAL_CLI_VERSION=1.5.1      # Temporal Server 1.29.1, Web UI 2.42.1
readonly GO_MIN_VERSION=1.25.0           # the `go` line of temporalio/cli v1.5.1's go.mod
readonly TEST_SERVER_VERSION=1.38.0      # io.temporal:temporal-test-server (Java SDK release)
readonly SLF4J_VERSION=1.7.36            # slf4j-nop matching the test server's slf4j-api: no log noise
readonly MAVEN_DEPENDENCY_PLUGIN_VERSION=3.8.1
readonly JAVA_MIN_MAJOR=17

# ---- Locations and settings ---------------------------------------------------------------------
REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly REPO_DIR
# In weft's repository the list sits in the sources; in an installed package, in dist/.
SEARCH_ATTRIBUTES_JSON=$REPO_DIR/src/core/search-attributes.json
[[ -f $SEARCH_ATTRIBUTES_JSON ]] || SEARCH_ATTRIBUTES_JSON=$REPO_DIR/dist/src/core/search-attributes.json
readonly SEARCH_ATTRIBUTES_JSON
# How the user runs this script, for the commands its messages name: `npx weft dev-server` runs it
# from an installed package with WEFT_DEV_SERVER_COMMAND set.
readonly SELF=${WEFT_DEV_SERVER_COMMAND:-./temporal-dev.sh}
CACHE_DIR=${WEFT_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:?HOME is not set: set WEFT_CACHE_DIR}/.cache}/weft}
readonly CACHE_DIR
readonly CLI_DIR=$CACHE_DIR/temporal-cli-$TEMPORAL_CLI_VERSION
readonly CLI=$CLI_DIR/bin/temporal
readonly TEST_SERVER_DIR=$CACHE_DIR/temporal-test-server-$TEST_SERVER_VERSION
readonly TEST_SERVER=$TEST_SERVER_DIR/bin/temporal-test-server
readonly LOG_DIR=$CACHE_DIR/logs
readonly DEV_DIR=${WEFT_DEV_STATE_DIR:-$CACHE_DIR/dev-server}
readonly DEV_DB=$DEV_DIR/temporal.sqlite
readonly DEV_LOG=$DEV_DIR/temporal.log
readonly DEV_PID=$DEV_DIR/temporal.pid
readonly DEV_PORTS=$DEV_DIR/ports
readonly GRPC_PORT=${WEFT_TEMPORAL_PORT:-7233}
readonly UI_PORT=${WEFT_TEMPORAL_UI_PORT:-8233}
readonly NAMESPACE=${TEMPORAL_NAMESPACE:-default}
readonly START_TIMEOUT_SECONDS=60

# ---- Small helpers ------------------------------------------------------------------------------
# Progress and errors go to stderr so that `paths` prints only its answer on stdout.
say() { printf 'temporal-dev: %s\n' "$*" >&2; }
die() {
  printf 'temporal-dev: error: %s\n' "$*" >&2
  exit 1
}

usage() {
  cat <<EOF
Usage: $SELF <command> [options]

Builds and runs weft's local Temporal servers. Nothing is downloaded at run time: the first
build fetches from the Go module proxy and Maven Central, then everything runs from the cache.

Commands:
  build [cli|test-server]
                 Build what is missing (idempotent): the Temporal CLI v$TEMPORAL_CLI_VERSION with the
                 dev server and Web UI (needs Go >= $GO_MIN_VERSION), and the time-skipping test server
                 $TEST_SERVER_VERSION (needs Java >= $JAVA_MIN_MAJOR and Maven); or only the one named.
  start          Build the CLI if needed, start the dev server in the background on 127.0.0.1
                 with weft's search attributes registered, and wait until it is healthy.
                 Harmless when it is already running.
  stop           Stop the dev server started by 'start'.
  status         Say whether the dev server runs (exit 0) or not (exit 3), and what is built.
  paths [--json] Print where the executables, database and log are (cli=..., test_server=...).
  help, --help   Show this text.

Environment:
  WEFT_CACHE_DIR          cache directory (now: $CACHE_DIR)
  WEFT_TEMPORAL_PORT      dev server gRPC port (default 7233)
  WEFT_TEMPORAL_UI_PORT   dev server Web UI port (default 8233)
  WEFT_DEV_STATE_DIR      dev server state: database, log, pid (default \$WEFT_CACHE_DIR/dev-server)
  TEMPORAL_NAMESPACE      namespace created with the search attributes (default: default)

The dev server keeps its state in $DEV_DB,
so runs survive a restart; delete that file to start from nothing.
EOF
}

# version_ge A B: true when dotted version A >= B (numeric parts; suffixes such as "rc1" ignored).
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

check_port_var() {
  local name=$1 value=$2
  if ! [[ $value =~ ^[0-9]+$ ]] || ((value < 1 || value > 65535)); then
    die "$name='$value' is not a port number (1-65535)."
  fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  node -e 'const s = require("node:net").createServer();
    s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# Temporary directories of an unfinished build, removed on exit; the pid of a running build step.
PARTIALS=()
BUILD_PID=
cleanup() {
  if [[ -n $BUILD_PID ]]; then kill "$BUILD_PID" 2>/dev/null || true; fi
  local p
  for p in "${PARTIALS[@]+"${PARTIALS[@]}"}"; do rm -rf "$p"; done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# One build or start at a time per cache directory. fd 9 holds the lock until the script exits.
take_lock() {
  mkdir -p "$CACHE_DIR"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$CACHE_DIR/.lock"
    if ! flock -n 9; then
      say "waiting for another temporal-dev.sh using $CACHE_DIR ..."
      flock 9
    fi
    # Under the lock no other build runs, so leftovers of a killed build can go.
    rm -rf "$CACHE_DIR"/.partial-*
  fi
}

# new_partial NAME: a fresh temporary directory in the cache, in $PARTIAL (not printed: a command
# substitution would run in a subshell and lose the PARTIALS entry that cleans it up).
PARTIAL=
new_partial() {
  PARTIAL=$(mktemp -d "$CACHE_DIR/.partial-$1.XXXXXX")
  chmod 755 "$PARTIAL" # mktemp makes it private; the installed cache is not secret
  PARTIALS+=("$PARTIAL")
}

# install_dir TMP FINAL: one rename, so FINAL is either absent or complete.
install_dir() {
  local tmp=$1 final=$2
  if ! mv -T "$tmp" "$final" 2>/dev/null; then
    [[ -d $final ]] || die "could not move $tmp to $final."
    rm -rf "$tmp" # another build finished first; keep its result
  fi
}

# run_logged LOG WHAT CMD...: run CMD with its output in LOG, saying every 30 s that it still runs.
run_logged() {
  local log_file=$1 what=$2
  shift 2
  "$@" >"$log_file" 2>&1 </dev/null &
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
  local what=$1 log_file=$2
  printf 'temporal-dev: last lines of %s:\n' "$log_file" >&2
  tail -n 20 "$log_file" | sed 's/^/    /' >&2
  die "$what failed; the whole log is $log_file"
}

# ---- Build: the Temporal CLI from the Go module proxy -------------------------------------------
check_go() {
  command -v go >/dev/null 2>&1 ||
    die "no 'go' on PATH. Building the Temporal CLI v$TEMPORAL_CLI_VERSION needs Go >= $GO_MIN_VERSION (https://go.dev/doc/install, or your package manager)."
  local have
  have=$(go env GOVERSION 2>/dev/null) || die "'go env GOVERSION' failed: is Go installed correctly?"
  have=${have#devel }
  have=${have#go}
  version_ge "$have" "$GO_MIN_VERSION" ||
    die "Go $have is too old: the Temporal CLI v$TEMPORAL_CLI_VERSION needs Go >= $GO_MIN_VERSION. Install a newer Go and put it first on PATH."
}

ensure_cli() {
  if [[ -x $CLI ]]; then return 0; fi
  check_go
  mkdir -p "$LOG_DIR"
  local tmp log_file=$LOG_DIR/temporal-cli-$TEMPORAL_CLI_VERSION-build.log
  new_partial cli
  tmp=$PARTIAL
  say "Building the Temporal CLI v$TEMPORAL_CLI_VERSION (dev server and Web UI) from the Go module proxy."
  say "  First time only: about 4-6 minutes on 2 cores. Log: $log_file"
  # GOTOOLCHAIN=local: never fetch another Go toolchain behind the user's back; check_go said
  # whether this one is new enough. GOFLAGS is cleared so that a user's -mod=... cannot interfere.
  if ! run_logged "$log_file" "go install temporal@v$TEMPORAL_CLI_VERSION" \
    env GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS= GOBIN="$tmp/bin" \
    go install -trimpath \
    -ldflags "-s -w -X github.com/temporalio/cli/temporalcli.Version=$TEMPORAL_CLI_VERSION" \
    "github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_CLI_VERSION"; then
    fail_with_log "Building the Temporal CLI v$TEMPORAL_CLI_VERSION" "$log_file"
  fi
  local version
  version=$("$tmp/bin/temporal" --version 2>&1) || fail_with_log "Running the new Temporal CLI" "$log_file"
  [[ $version == *"version $TEMPORAL_CLI_VERSION "* ]] ||
    die "the new Temporal CLI reports '$version', expected version $TEMPORAL_CLI_VERSION."
  install_dir "$tmp" "$CLI_DIR"
  say "  Temporal CLI: $CLI ($version)"
}

# ---- Build: the time-skipping test server from Maven Central ------------------------------------
check_java_and_maven() {
  command -v java >/dev/null 2>&1 ||
    die "no 'java' on PATH. The time-skipping test server needs Java >= $JAVA_MIN_MAJOR (for example: apt-get install openjdk-17-jre-headless)."
  local spec
  spec=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')
  spec=${spec#1.} # Java 8 and older call themselves 1.x
  [[ $spec =~ ^[0-9]+ ]] || die "could not read the Java version from 'java -XshowSettings:properties -version'."
  ((BASH_REMATCH[0] >= JAVA_MIN_MAJOR)) ||
    die "Java $spec is too old: the time-skipping test server needs Java >= $JAVA_MIN_MAJOR. Put a newer 'java' first on PATH."
  command -v mvn >/dev/null 2>&1 ||
    die "no 'mvn' on PATH. Fetching the test server from Maven Central needs Maven (for example: apt-get install maven)."
}

write_test_server_pom() {
  cat >"$1" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by weft's temporal-dev.sh: the test server's runtime classpath, from Maven Central. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>weft.local</groupId>
  <artifactId>temporal-test-server-runtime</artifactId>
  <version>$TEST_SERVER_VERSION</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>$TEST_SERVER_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-nop</artifactId>
      <version>$SLF4J_VERSION</version>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>$MAVEN_DEPENDENCY_PLUGIN_VERSION</version>
      </plugin>
    </plugins>
  </build>
</project>
EOF
}

# The launcher the TypeScript SDK runs as `<path> <port> [args]`. It must `exec`: the SDK stops
# the process it started with SIGKILL, which a wrapping shell would not pass on to java.
write_test_server_launcher() {
  cat >"$1" <<'EOF'
#!/bin/sh
# Temporal time-skipping test server for weft, written by temporal-dev.sh.
# Usage: temporal-test-server <port> [--enable-time-skipping]
dir=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
main=io.temporal.testserver.TestServer
# app.jsa (class data sharing) cuts JVM start-up about threefold; the SDK waits only a few seconds.
if [ -n "${WEFT_CDS_DUMP:-}" ]; then
  set -- "-XX:ArchiveClassesAtExit=$WEFT_CDS_DUMP" -cp "$dir/lib/*" "$main" "$@"
elif [ -f "$dir/app.jsa" ]; then
  set -- "-XX:SharedArchiveFile=$dir/app.jsa" -cp "$dir/lib/*" "$main" "$@"
else
  set -- -cp "$dir/lib/*" "$main" "$@"
fi
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xlog:cds=off,cds+dynamic=off "$@"
EOF
  chmod +x "$1"
}

ensure_test_server() {
  if [[ ! -x $TEST_SERVER ]]; then
    check_java_and_maven
    mkdir -p "$LOG_DIR"
    local tmp log_file=$LOG_DIR/temporal-test-server-$TEST_SERVER_VERSION-build.log
    new_partial test-server
  tmp=$PARTIAL
    say "Fetching the time-skipping test server $TEST_SERVER_VERSION and its dependencies from Maven Central."
    say "  First time only: about 10-30 seconds. Log: $log_file"
    write_test_server_pom "$tmp/pom.xml"
    if ! run_logged "$log_file" "mvn dependency:copy-dependencies" \
      mvn -B -Dstyle.color=never -f "$tmp/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$tmp/lib" -DincludeScope=runtime; then
      fail_with_log "Fetching the test server with Maven" "$log_file"
    fi
    [[ -f $tmp/lib/temporal-test-server-$TEST_SERVER_VERSION.jar ]] ||
      die "Maven finished but $tmp/lib has no temporal-test-server-$TEST_SERVER_VERSION.jar; see $log_file"
    mkdir -p "$tmp/bin"
    write_test_server_launcher "$tmp/bin/temporal-test-server"
    install_dir "$tmp" "$TEST_SERVER_DIR"
    say "  test server: $TEST_SERVER"
  fi
  ensure_test_server_cds
}

# Record the classes the test server loads while starting (a dynamic CDS archive, dumped when the
# JVM exits). The archive names the class path, so it is made in place after the install. Optional:
# without it the server starts in about 0.7 s instead of 0.2 s.
ensure_test_server_cds() {
  local archive=$TEST_SERVER_DIR/app.jsa
  [[ -f $archive ]] && return 0
  command -v java >/dev/null 2>&1 || return 0
  local port partial=$archive.partial pid i
  port=$(free_port)
  rm -f "$partial"
  say "Recording a class-data-sharing archive so the test server starts fast."
  WEFT_CDS_DUMP=$partial "$TEST_SERVER" "$port" >/dev/null 2>&1 </dev/null 9>&- &
  pid=$!
  for ((i = 0; i < 300; i++)); do
    port_in_use "$port" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [[ -s $partial ]]; then
    mv -f "$partial" "$archive"
  else
    rm -f "$partial"
    say "  (no archive recorded; the test server still works, it starts a little slower)"
  fi
}

# ---- The dev server -----------------------------------------------------------------------------
# The CLI also reads TEMPORAL_* variables and a config file; these commands talk to our own server.
temporal_cmd() {
  local port=$1
  shift
  "$CLI" "$@" --address "127.0.0.1:$port" --disable-config-file --disable-config-env --command-timeout 10s
}

# Lines "Name=Type" from src/core/search-attributes.json, the one list of weft's search attributes.
# shellcheck disable=SC2016 # the node scripts are JavaScript in single quotes, on purpose
search_attribute_lines() {
  [[ -f $SEARCH_ATTRIBUTES_JSON ]] || die "missing $SEARCH_ATTRIBUTES_JSON (the list of weft's search attributes)."
  command -v node >/dev/null 2>&1 || die "no 'node' on PATH; weft needs Node >= 20.19."
  node -e '
    const types = new Set(["Text", "Keyword", "Int", "Double", "Bool", "Datetime", "KeywordList"]);
    const list = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
    for (const [name, type] of Object.entries(list)) {
      if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name) || !types.has(type)) {
        console.error(`${process.argv[1]}: bad entry "${name}": "${type}"; types are ${[...types].join(", ")}.`);
        process.exit(1);
      }
      console.log(`${name}=${type}`);
    }' "$SEARCH_ATTRIBUTES_JSON" || die "could not read the search attributes from $SEARCH_ATTRIBUTES_JSON."
}

# Register every weft search attribute the namespace lacks. `start-dev --search-attribute` only
# applies to a new database; on an existing one this adds what a newer list brought.
# shellcheck disable=SC2016
ensure_search_attributes() {
  local port=$1 namespace=$2 existing missing line
  existing=$(temporal_cmd "$port" operator search-attribute list --namespace "$namespace" --output json) ||
    die "could not list the search attributes of namespace '$namespace'; see $DEV_LOG"
  missing=$(search_attribute_lines | node -e '
    const existing = JSON.parse(process.argv[1]).customAttributes ?? {};
    const wanted = require("node:fs").readFileSync(0, "utf8").trim().split("\n").filter(Boolean);
    let bad = false;
    for (const line of wanted) {
      const [name, type] = line.split("=");
      const have = existing[name];
      const want = "INDEXED_VALUE_TYPE_" + type.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
      if (have === undefined) console.log(line);
      else if (have !== want) {
        console.error(`search attribute ${name} exists as ${have}, but search-attributes.json says ${type}.`);
        bad = true;
      }
    }
    process.exit(bad ? 1 : 0);' "$existing") ||
    die "the dev server database has search attributes of other types; delete $DEV_DB (its runs are lost) and start again."
  for line in $missing; do
    say "  registering search attribute ${line%%=*} (${line#*=}) in namespace '$namespace'"
    temporal_cmd "$port" operator search-attribute create --namespace "$namespace" \
      --name "${line%%=*}" --type "${line#*=}" >/dev/null ||
      die "could not register search attribute ${line%%=*}; see $DEV_LOG"
  done
}

# The pid of our dev server if it runs (checked against the command line, as pids get reused).
running_pid() {
  [[ -f $DEV_PID ]] || return 1
  local pid
  pid=$(<"$DEV_PID")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  [[ $(ps -o args= -p "$pid" 2>/dev/null) == *"server start-dev"* ]] || return 1
  printf '%s\n' "$pid"
}

recorded_ports() {
  if [[ -f $DEV_PORTS ]]; then cat "$DEV_PORTS"; else echo "$GRPC_PORT $UI_PORT"; fi
}

wait_healthy() {
  local pid=$1 port=$2 deadline=$((SECONDS + START_TIMEOUT_SECONDS))
  until temporal_cmd "$port" operator cluster health >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      printf 'temporal-dev: error: the dev server exited. Last lines of %s:\n' "$DEV_LOG" >&2
      tail -n 20 "$DEV_LOG" | sed 's/^/    /' >&2
      rm -f "$DEV_PID"
      die "the dev server did not start; the whole log is $DEV_LOG"
    fi
    ((SECONDS < deadline)) ||
      die "the dev server (pid $pid) is not healthy after $START_TIMEOUT_SECONDS s; see $DEV_LOG, and '$SELF stop'."
    sleep 0.25
  done
}

print_endpoints() {
  local grpc=$1 ui=$2
  say "  gRPC:   127.0.0.1:$grpc   (TEMPORAL_ADDRESS=127.0.0.1:$grpc)"
  say "  Web UI: http://127.0.0.1:$ui"
  say "  state:  $DEV_DB"
  say "  log:    $DEV_LOG"
}

stop_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do # up to 20 s; it usually takes about 3
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "The dev server did not stop within 20 s of SIGTERM; sending SIGKILL."
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$DEV_PID"
}

cmd_build() {
  local what=${1:-all}
  case $what in
    all | cli | test-server) ;;
    *) die "build takes cli, test-server or nothing (both), not '$what'." ;;
  esac
  take_lock
  [[ $what == test-server ]] || ensure_cli
  [[ $what == cli ]] || ensure_test_server
  say "Ready: cli=$([[ -x $CLI ]] && echo "$CLI" || echo "(not built: $SELF build cli)") test_server=$([[ -x $TEST_SERVER ]] && echo "$TEST_SERVER" || echo "(not built: $SELF build test-server)")"
}

cmd_start() {
  check_port_var WEFT_TEMPORAL_PORT "$GRPC_PORT"
  check_port_var WEFT_TEMPORAL_UI_PORT "$UI_PORT"
  [[ $GRPC_PORT != "$UI_PORT" ]] || die "WEFT_TEMPORAL_PORT and WEFT_TEMPORAL_UI_PORT are both $GRPC_PORT."
  take_lock

  local pid grpc ui
  if pid=$(running_pid); then
    read -r grpc ui < <(recorded_ports)
    say "The dev server already runs (pid $pid)."
    wait_healthy "$pid" "$grpc"
    ensure_search_attributes "$grpc" "$NAMESPACE"
    print_endpoints "$grpc" "$ui"
    return 0
  fi
  rm -f "$DEV_PID"
  # Fail before a long first build rather than after it.
  port_in_use "$GRPC_PORT" &&
    die "port $GRPC_PORT is taken by another process. Stop it, or choose another port with WEFT_TEMPORAL_PORT."
  port_in_use "$UI_PORT" &&
    die "port $UI_PORT is taken by another process. Stop it, or choose another port with WEFT_TEMPORAL_UI_PORT."
  ensure_cli
  mkdir -p "$DEV_DIR"

  local -a args=(server start-dev --ip 127.0.0.1 --port "$GRPC_PORT" --ui-port "$UI_PORT"
    --db-filename "$DEV_DB" --log-level warn)
  if [[ $NAMESPACE != default ]]; then args+=(--namespace "$NAMESPACE"); fi
  local line
  for line in $(search_attribute_lines); do args+=(--search-attribute "$line"); done

  if [[ -f $DEV_LOG ]]; then mv -f "$DEV_LOG" "$DEV_LOG.1"; fi
  say "Starting the Temporal dev server (CLI v$TEMPORAL_CLI_VERSION) in the background."
  # nohup, </dev/null and its own session (setsid): it outlives this shell and a Ctrl-C in the
  # terminal that ran it. 9>&-: it must not inherit the build lock.
  local -a detach=(nohup)
  if command -v setsid >/dev/null 2>&1; then detach+=(setsid); fi
  TEMPORAL_VERSION_CHECK_DISABLED=1 "${detach[@]}" "$CLI" "${args[@]}" >"$DEV_LOG" 2>&1 </dev/null 9>&- &
  pid=$!
  echo "$pid" >"$DEV_PID"
  echo "$GRPC_PORT $UI_PORT" >"$DEV_PORTS"
  # Subshells, so that a failure (which exits) still lets us stop what we started.
  if ! (wait_healthy "$pid" "$GRPC_PORT" && ensure_search_attributes "$GRPC_PORT" "$NAMESPACE"); then
    say "Stopping the dev server this start launched."
    stop_pid "$pid"
    exit 1
  fi
  say "The dev server runs (pid $pid)."
  print_endpoints "$GRPC_PORT" "$UI_PORT"
  say "  stop it with: $SELF stop"
}

cmd_stop() {
  local pid
  if ! pid=$(running_pid); then
    rm -f "$DEV_PID"
    say "The dev server is not running."
    return 0
  fi
  stop_pid "$pid"
  say "Stopped the dev server (pid $pid). Its state stays in $DEV_DB."
}

cmd_status() {
  local built_cli=missing built_ts=missing
  [[ -x $CLI ]] && built_cli=$CLI
  [[ -x $TEST_SERVER ]] && built_ts=$TEST_SERVER
  say "Temporal CLI v$TEMPORAL_CLI_VERSION: $built_cli"
  say "test server $TEST_SERVER_VERSION: $built_ts"
  local pid grpc ui
  if pid=$(running_pid); then
    read -r grpc ui < <(recorded_ports)
    if temporal_cmd "$grpc" operator cluster health >/dev/null 2>&1; then
      say "The dev server runs (pid $pid) and is healthy."
    else
      say "The dev server runs (pid $pid) but does not answer health checks yet; see $DEV_LOG"
    fi
    print_endpoints "$grpc" "$ui"
    return 0
  fi
  say "The dev server is not running. Start it with: $SELF start"
  return 3
}

cmd_paths() {
  case ${1:-} in
    --json)
      node -e 'const [cli, test_server, cache_dir, dev_server_db, dev_server_log] = process.argv.slice(1);
        console.log(JSON.stringify({ cli, test_server, cache_dir, dev_server_db, dev_server_log }));' \
        "$CLI" "$TEST_SERVER" "$CACHE_DIR" "$DEV_DB" "$DEV_LOG"
      ;;
    "")
      printf 'cli=%s\ntest_server=%s\ncache_dir=%s\ndev_server_db=%s\ndev_server_log=%s\n' \
        "$CLI" "$TEST_SERVER" "$CACHE_DIR" "$DEV_DB" "$DEV_LOG"
      ;;
    *) die "paths takes only --json, not '$1'." ;;
  esac
}

main() {
  local command=${1:-help}
  (($# > 0)) && shift
  case $command in
    build)
      (($# <= 1)) || die "'build' takes at most one argument; see --help."
      cmd_build "$@"
      ;;
    start | stop | status)
      (($# == 0)) || die "'$command' takes no arguments; see --help."
      "cmd_$command"
      ;;
    paths) cmd_paths "$@" ;;
    help | -h | --help) usage ;;
    *)
      usage >&2
      die "unknown command '$command'."
      ;;
  esac
}

main "$@"
