#!/bin/bash
# docker-engine.sh: a real Docker engine on /run/docker.sock, and a tiny local image for tests that
# run real containers on machines with no registry access.
#
#   docker-engine.sh ensure [IMAGE]
#       Needs a dockerd already answering (exit 3 if none does). Imports IMAGE (default
#       local/busybox:latest) from Debian's busybox-static if it is missing, and prints
#       DOCKER_HOST= and TEST_IMAGE=. Safe to run from many test binaries at once.
#   docker-engine.sh start
#       Starts dockerd unless one answers already; prints DOCKERD_PID= only if it started one.
#   docker-engine.sh stop PID
#       Stops a dockerd that start started: SIGTERM, then SIGKILL after 20 s. Removes its log.
#
# Needs root and the packages docker.io and busybox-static.
#
# Why it is built this way:
# - Debian's docker.io (dockerd 20.10, API <= 1.41) runs here as root, but setting up its bridge
#   and iptables rules is not ours to do on a shared VM: dockerd runs with --iptables=false
#   --bridge=none, and containers with --network none.
# - No registry is reachable: `docker import` of a tar holding the static /bin/busybox and a few
#   applet links is a working image within a second.
# - The docker CLI (/usr/local/bin/docker) may be newer than dockerd; it negotiates the API
#   version down by itself.
# - Test binaries run in parallel: the image import happens under a lock, or two would race.
# - A dockerd started here outlives the caller; tests must remove the containers they create.
set -euo pipefail

readonly SOCKET=/run/docker.sock
readonly LOCK_FILE=/run/lock/deckhand-docker-engine.lock
readonly APPLETS=(sh sleep echo cat ls true false env kill id ps grep head tail wc mkdir rm touch
  printf test date hostname)
export DOCKER_HOST=unix://$SOCKET

die() { echo "docker-engine.sh: $1" >&2; exit "${2:-2}"; }
usage() { sed -n '2,/^# Needs root/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
log_path_of() { echo "/var/tmp/deckhand-dockerd.$1.log"; }
answers() { curl -fsS --max-time 2 --unix-socket $SOCKET http://docker/_ping >/dev/null 2>&1; }
alive() { [[ -e /proc/$1 ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

wait_until_gone() { # PID SECONDS
  local deadline=$((SECONDS + $2))
  while alive "$1"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

# Holds the lock until this script exits. Children must not inherit LOCK_FD: a dockerd holding it
# would keep the lock for its whole life.
take_lock() {
  exec {LOCK_FD}>"$LOCK_FILE"
  flock --wait 120 "$LOCK_FD" || die "waited 120 s for $LOCK_FILE" 1
}

import_image() { # IMAGE
  local image=$1 applet
  STAGING=$(mktemp -d /var/tmp/deckhand-image.XXXXXX)
  trap 'rm -rf "$STAGING"' EXIT
  mkdir "$STAGING/bin"
  cp /bin/busybox "$STAGING/bin/"
  for applet in "${APPLETS[@]}"; do ln -s busybox "$STAGING/bin/$applet"; done
  tar -C "$STAGING" -c . | docker import --change 'CMD ["/bin/sh"]' - "$image" >/dev/null {LOCK_FD}>&-
  # A dynamically linked busybox (package busybox instead of busybox-static) can't run in there.
  if ! docker run --rm --network none "$image" true {LOCK_FD}>&- >/dev/null 2>&1; then
    docker image rm "$image" >/dev/null 2>&1 || true
    die "the imported $image does not run; is /bin/busybox static? (apt-get install busybox-static)" 1
  fi
}

ensure() {
  local image=${1:-local/busybox:latest}
  answers || die "no Docker engine answers on $SOCKET (start one: $0 start)" 3
  [[ -x /bin/busybox ]] || die "no /bin/busybox (apt-get install busybox-static)"
  take_lock
  docker image inspect "$image" >/dev/null 2>&1 || import_image "$image"
  echo "DOCKER_HOST=$DOCKER_HOST"
  echo "TEST_IMAGE=$image"
}

start() {
  command -v dockerd >/dev/null || die "no dockerd (apt-get install docker.io)"
  take_lock
  answers && return
  local log pid deadline=$((SECONDS + 30))
  log=$(mktemp /var/tmp/deckhand-dockerd.XXXXXX.log)
  # setsid: dockerd must not get the caller's terminal signals.
  setsid dockerd --iptables=false --bridge=none </dev/null >"$log" 2>&1 {LOCK_FD}>&- &
  pid=$!
  until answers; do
    if ! alive "$pid" || ((SECONDS >= deadline)); then
      kill -KILL "$pid" 2>/dev/null || true
      tail -20 "$log" >&2
      rm -f "$log"
      die "dockerd did not answer on $SOCKET within 30 s" 1
    fi
    sleep 0.2
  done
  # Named by PID so that stop finds it; dockerd keeps writing to the same file.
  mv "$log" "$(log_path_of "$pid")"
  echo "DOCKERD_PID=$pid"
}

stop() {
  local pid=${1:-}
  [[ $pid =~ ^[0-9]+$ ]] || usage
  if alive "$pid"; then
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == dockerd ]] || die "$pid is not a dockerd; not stopping it"
    kill -TERM "$pid"
    if ! wait_until_gone "$pid" 20; then
      kill -KILL "$pid"
      wait_until_gone "$pid" 10 || die "dockerd $pid still runs 10 s after SIGKILL" 1
    fi
  fi
  rm -f "$(log_path_of "$pid")"
}

(($(id -u) == 0)) || die "needs root"
command=${1:-}
shift || true
case $command in
  ensure) ensure "$@" ;;
  start) start "$@" ;;
  stop) stop "$@" ;;
  *) usage ;;
esac
