#!/usr/bin/env bash
# build-deb.sh [OUT_DIR]: builds deckhand_VERSION_ARCH.deb with dpkg-buildpackage from a copy of
# this source tree (with packaging/debian/ as debian/), and leaves it in OUT_DIR (default
# build/deb), after checking what it holds and that its agent loads its own TLS module. Needs the
# Build-Depends of packaging/debian/control and debhelper; about as long as a build from scratch
# (5 minutes here), so CI runs it as a separate step (tools/dev deb), not in the test suite.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$(mkdir -p "${1:-$ROOT/build/deb}" && cd "${1:-$ROOT/build/deb}" && pwd)

command -v dpkg-buildpackage >/dev/null || { echo "build-deb.sh: needs dpkg-dev" >&2; exit 2; }
command -v dh >/dev/null || { echo "build-deb.sh: needs debhelper (apt-get install debhelper)" >&2; exit 2; }

WORK=$(mktemp -d /var/tmp/deckhand-deb.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir "$WORK/deckhand"
# The tracked and new files, without build folders or git's own.
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard) |
  (cd "$ROOT" && xargs -0 tar -cf - --no-recursion) | tar -xf - -C "$WORK/deckhand"
cp -r "$ROOT/packaging/debian" "$WORK/deckhand/debian"

(cd "$WORK/deckhand" && dpkg-buildpackage -us -uc -b) >"$WORK/build.log" 2>&1 || {
  tail -40 "$WORK/build.log" >&2
  echo "build-deb.sh: dpkg-buildpackage failed (log above)" >&2
  exit 1
}

# What a node gets: every file, and an agent that finds its TLS module where the package put it.
deb=$(ls "$WORK"/deckhand_*.deb)
dpkg-deb -x "$deb" "$WORK/root"
module=usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/deckhand/deckhand-tls.so
for file in usr/sbin/deckhand usr/bin/deckhandctl lib/systemd/system/deckhand.service "$module" \
  usr/share/dbus-1/system.d/org.deckhand.Agent1.conf usr/share/man/man8/deckhand.8.gz; do
  [[ -e $WORK/root/$file ]] || { echo "build-deb.sh: $file is not in $deb" >&2; exit 1; }
done
check=$(env -u AGENT_TLS_MODULE "$WORK/root/usr/sbin/deckhand" --config /dev/null --check-config \
  --scheduler-url wss://scheduler.example:8443/agent 2>&1) || {
  echo "$check" >&2
  echo "build-deb.sh: the packaged agent fails --check-config with a wss:// URL" >&2
  exit 1
}
[[ $check == *"$WORK/root/$module"* ]] || {
  echo "$check" >&2
  echo "build-deb.sh: the packaged agent did not load its own TLS module" >&2
  exit 1
}

mv "$WORK"/*.deb "$OUT/"
ls "$OUT"/*.deb
