#!/usr/bin/env bash
# build-deb.sh [OUT_DIR]: builds deckhand_VERSION_ARCH.deb with dpkg-buildpackage from a copy of
# this source tree (with packaging/debian/ as debian/), and leaves it in OUT_DIR (default
# build/deb). Needs the Build-Depends of packaging/debian/control and debhelper; about as long as
# a build from scratch, so CI runs it as a separate step, not in the test suite.
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
mv "$WORK"/*.deb "$OUT/"
ls "$OUT"/*.deb
