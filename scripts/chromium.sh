#!/usr/bin/env bash
# Finds (and, where it can, installs) the headless Chromium the `weft ui` browser test and
# benchmark drive through puppeteer-core. Nothing is downloaded by npm: Chromium comes from the
# distribution. Prints the executable's path on stdout.
#   WEFT_CHROMIUM=/path/to/chromium   use this one
#   otherwise: chromium or chromium-browser on PATH; else, as root with apt-get, install Debian's
#   `chromium` package; else fail saying how to get it.
set -euo pipefail
say() { printf 'chromium.sh: %s\n' "$*" >&2; }

if [[ -n ${WEFT_CHROMIUM:-} ]]; then
  [[ -x $WEFT_CHROMIUM ]] || { say "WEFT_CHROMIUM=$WEFT_CHROMIUM is not an executable file."; exit 1; }
  echo "$WEFT_CHROMIUM"
  exit 0
fi
for name in chromium chromium-browser; do
  if path=$(command -v "$name" 2>/dev/null); then
    echo "$path"
    exit 0
  fi
done
if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
  say "Chromium is missing: installing Debian's chromium package (apt-get, once)."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends chromium >&2
  command -v chromium
  exit 0
fi
say "No Chromium found. Install it (Debian/Ubuntu: sudo apt-get install chromium; macOS: brew install --cask chromium)"
say "or point WEFT_CHROMIUM at a Chromium or Chrome executable, then run the tests again."
exit 1
