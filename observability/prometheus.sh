#!/usr/bin/env bash
# observability/prometheus.sh: make Prometheus and promtool available to weft's tests.
#
# The alert-rule tests run `promtool check rules` / `promtool test rules`, and the end-to-end
# observability test starts a real Prometheus that scrapes a real worker. Both come from Debian's
# `prometheus` package (2.42 on Debian 12). Nothing downloads at run time: this script installs
# the package once, from the Debian archive, with apt-get.
#
#   bash observability/prometheus.sh ensure   install if missing (root and apt-get), then print paths
#   bash observability/prometheus.sh paths    print prometheus=… promtool=… or fail saying how to get them
set -euo pipefail

say() { printf 'prometheus.sh: %s\n' "$*" >&2; }
die() {
  printf 'prometheus.sh: error: %s\n' "$*" >&2
  exit 1
}

# WEFT_PROMETHEUS / WEFT_PROMTOOL point at other executables (a Prometheus built from source, say).
find_tools() {
  PROMETHEUS=${WEFT_PROMETHEUS:-$(command -v prometheus || true)}
  PROMTOOL=${WEFT_PROMTOOL:-$(command -v promtool || true)}
}

how_to_get() {
  cat >&2 <<'MSG'
prometheus.sh: Prometheus and promtool are needed by weft's observability tests.
  On Debian or Ubuntu, as root:   apt-get update && apt-get install -y prometheus
  Elsewhere: install Prometheus >= 2.42 (https://prometheus.io/download/ or your package manager)
  and put `prometheus` and `promtool` on PATH, or set WEFT_PROMETHEUS and WEFT_PROMTOOL to them.
MSG
}

install_with_apt() {
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    how_to_get
    die "prometheus/promtool are missing and this script can install them only as root with apt-get."
  fi
  say "installing Debian's prometheus package (once; promtool comes with it)…"
  local log
  log=$(mktemp -t weft-prometheus-apt.XXXXXX)
  # The package's post-install tries to start a service; with no init system that is harmless.
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus; } >"$log" 2>&1; then
    tail -20 "$log" >&2
    how_to_get
    die "apt-get could not install prometheus (log: $log)."
  fi
  # Debian enables a service that would scrape and listen on :9090; weft's tests run their own.
  if command -v service >/dev/null; then service prometheus stop >/dev/null 2>&1 || true; fi
}

print_paths() {
  printf 'prometheus=%s\npromtool=%s\n' "$PROMETHEUS" "$PROMTOOL"
}

main() {
  local command=${1:-ensure}
  find_tools
  case $command in
    ensure)
      if [[ -z $PROMETHEUS || -z $PROMTOOL ]]; then
        install_with_apt
        find_tools
      fi
      [[ -n $PROMETHEUS && -n $PROMTOOL ]] || {
        how_to_get
        die "prometheus/promtool are still missing after the install."
      }
      say "ready: $("$PROMETHEUS" --version 2>&1 | head -1)"
      print_paths
      ;;
    paths)
      [[ -n $PROMETHEUS && -n $PROMTOOL ]] || {
        how_to_get
        die "prometheus/promtool are missing: run 'bash observability/prometheus.sh ensure'."
      }
      print_paths
      ;;
    *) die "unknown command '$command' (use ensure or paths)" ;;
  esac
}

main "$@"
