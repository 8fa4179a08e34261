#!/usr/bin/env bash
# Installs the system programs the tests drive for real: nginx (the edge), Chromium (the web page),
# wrk (the benchmarks' load generator) and faketime (libfaketime: the suites run again with the clock
# a year ahead, so no test depends on the day it was written).
set -euo pipefail
missing=()
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)  # the benchmarks' load generator
command -v faketime >/dev/null 2>&1 || missing+=(faketime)  # make test-later: the suites a year ahead
if ((${#missing[@]} == 0)); then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "missing: ${missing[*]}; install them with your package manager" >&2
  exit 2
fi
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "installing ${missing[*]} (Debian packages)" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
