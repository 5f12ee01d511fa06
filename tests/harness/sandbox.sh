#!/bin/bash
# sandbox.sh: a real systemd 252 as PID 1, with its own D-Bus system bus and journald, in private
# PID + mount + UTS namespaces. Integration tests boot one per test and talk to it like to a node.
#
#   sandbox.sh start [--docker] [--private-network] [--machine-id HEX32] [--hostname NAME]
#       Boots one and prints SANDBOX_PID=, SANDBOX_ROOT=, DBUS_SYSTEM_BUS_ADDRESS=, SANDBOX_LOG=.
#       --docker      the host's /run/docker.sock is visible inside
#       --private-network  a network namespace of its own, with only loopback (up): a test links
#                     it to the host, e.g. by a veth pair, and can cut that link
#       --machine-id  /etc/machine-id inside reads HEX32 (default: a fresh random one)
#       --hostname    the sandbox's host name (default: the host's /etc/hostname)
#   sandbox.sh exec PID COMMAND...   runs COMMAND inside (its /run, /tmp, bus, PID space, hostname)
#   sandbox.sh stop PID              kills it and every process in it, waits, removes its log
#
# Needs root. Private to a sandbox: /run, /tmp, /var/tmp, the host name, the PID space (and the
# network with --private-network). The rest of the file system (/etc, /usr, /var/lib, ...) and by
# default the network are the host's: units started inside can change them, so tests use
# throwaway paths.
#
# Why it is built this way (each point was learned by breaking a machine):
# - systemd's stock units must never run here: systemd-tmpfiles-setup empties the host's /tmp
#   ("D /tmp" in tmp.conf), systemd-sysusers rewrites /etc/passwd, remount-fs, sysctl and binfmt
#   change the kernel. SYSTEMD_UNIT_PATH therefore names only a private folder of stub targets,
#   D-Bus and journald, plus /run/systemd/system for the tests' own units.
# - Services have DefaultDependencies=yes (Requires=sysinit.target ...): without the stub targets
#   every StartUnit fails with "Unit sysinit.target not found".
# - SIGTERM makes systemd as PID 1 re-execute itself instead of exiting: stop with SIGKILL, which
#   also takes every other process of the PID namespace with it.
# - From outside, the bus is reachable through /proc/PID/root/run/dbus/system_bus_socket, and
#   sd-bus (so sdbus-c++'s createSystemBusConnection) honours DBUS_SYSTEM_BUS_ADDRESS.
# - Unit files go to /proc/PID/root/run/systemd/system (/run/systemd/system inside), then
#   Manager.Reload. D-Bus policy files go to /proc/PID/root/run/dbus/system.d; dbus-daemon picks
#   up new files by itself.
# - Paths handed to systemd are resolved in the sandbox's mount namespace: a program outside must
#   run inside (exec) or keep its folders out of /run, /tmp and /var/tmp.
# - Once a tmpfs covers /run, the host's /run/docker.sock can't be reached any more (not even via
#   /proc/self/fd: the path walk crosses into the new mount), so the old /run is bound aside first.
# - journald runs with Storage=volatile: the journal lives in the private /run/log/journal, and
#   readers must open local journals only (journalctl's default), as the host's /var/log/journal
#   is visible too. ReadKMsg=no keeps the host kernel's messages out of it.
# - Each job systemd queues tracks its requester with a bus match, and the bus allows 512 per
#   connection: a client with too many unfinished jobs gets systemd disconnected from the bus.
set -euo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
readonly SELF
readonly STUB_UNITS=/run/sandbox-units

die() { echo "sandbox.sh: $1" >&2; exit "${2:-2}"; }
usage() { sed -n '2,/^# Needs root/p' "$SELF" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
log_path_of() { echo "/var/tmp/deckhand-sandbox.$1.log"; }

# Alive means not yet exited: a zombie waiting for its parent to reap it counts as gone.
alive() { [[ -e /proc/$1 ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

# A sandbox's systemd is PID 1 of a PID namespace below ours, never the host's own init.
is_sandbox_systemd() {
  local pid=$1 nspids
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == systemd ]] || return 1
  nspids=$(awk '/^NSpid:/ { $1 = ""; print }' "/proc/$pid/status" 2>/dev/null)
  read -ra nspids <<<"$nspids"
  ((${#nspids[@]} > 1)) && [[ ${nspids[-1]} == 1 ]]
}

wait_until_gone() { # PID SECONDS
  local deadline=$((SECONDS + $2))
  while alive "$1"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.02
  done
}

write_stub_units() {
  mkdir -p $STUB_UNITS /run/systemd/system /run/systemd/journald.conf.d /run/dbus/system.d
  local target
  for target in sysinit basic shutdown sockets paths timers slices local-fs local-fs-pre remote-fs \
    network network-pre network-online nss-lookup swap umount final multi-user default; do
    printf '[Unit]\nDefaultDependencies=no\n' >"$STUB_UNITS/$target.target"
  done
  cat >$STUB_UNITS/sandbox.target <<'EOF'
[Unit]
Description=deckhand test sandbox
DefaultDependencies=no
Wants=dbus.socket systemd-journald.socket
EOF
  cat >/run/systemd/journald.conf.d/sandbox.conf <<'EOF'
[Journal]
Storage=volatile
ReadKMsg=no
EOF
  cat >$STUB_UNITS/systemd-journald.socket <<'EOF'
[Unit]
DefaultDependencies=no
[Socket]
ListenDatagram=/run/systemd/journal/socket
ListenStream=/run/systemd/journal/stdout
PassCredentials=yes
PassSecurity=yes
ReceiveBuffer=8M
Service=systemd-journald.service
SocketMode=0666
Timestamping=us
EOF
  cat >$STUB_UNITS/systemd-journald.service <<'EOF'
[Unit]
DefaultDependencies=no
Requires=systemd-journald.socket
After=systemd-journald.socket
[Service]
ExecStart=/lib/systemd/systemd-journald
Sockets=systemd-journald.socket
Type=notify
Restart=always
RestartSec=0
RuntimeDirectory=systemd/journal
RuntimeDirectoryPreserve=yes
StandardOutput=null
EOF
  cat >$STUB_UNITS/dbus.socket <<'EOF'
[Unit]
DefaultDependencies=no
[Socket]
ListenStream=/run/dbus/system_bus_socket
EOF
  # The stock system bus policy, plus a folder for the policy files tests drop in.
  cat >$STUB_UNITS/dbus-system.conf <<'EOF'
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <include>/usr/share/dbus-1/system.conf</include>
  <includedir>/run/dbus/system.d</includedir>
</busconfig>
EOF
  cat >$STUB_UNITS/dbus.service <<EOF
[Unit]
DefaultDependencies=no
Requires=dbus.socket
[Service]
ExecStart=/usr/bin/dbus-daemon --config-file=$STUB_UNITS/dbus-system.conf --address=systemd: --nofork --nopidfile --systemd-activation --syslog-only
EOF
}

# Runs as PID 1 of the new namespaces (as root of a fresh mount namespace) and becomes systemd.
boot() {
  mount --make-rprivate /
  mount -t tmpfs -o mode=1777 tmpfs /tmp
  mount -t tmpfs -o mode=1777 tmpfs /var/tmp
  local old_run=/tmp/old-run
  mkdir $old_run
  mount --bind /run $old_run
  mount -t tmpfs -o mode=755 tmpfs /run
  if [[ $SANDBOX_DOCKER == 1 && -S $old_run/docker.sock ]]; then
    touch /run/docker.sock
    mount --bind $old_run/docker.sock /run/docker.sock
  fi
  umount $old_run
  rmdir $old_run

  # A private network namespace starts with loopback down.
  [[ $SANDBOX_NETWORK == private ]] && ip link set dev lo up

  if [[ -n $SANDBOX_HOSTNAME ]]; then
    # systemd sets the host name from /etc/hostname while it boots.
    echo "$SANDBOX_HOSTNAME" >/run/hostname
    mount --bind /run/hostname /etc/hostname
  fi
  local machine_id=${SANDBOX_MACHINE_ID:-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}
  echo "$machine_id" >/run/machine-id
  mount --bind /run/machine-id /etc/machine-id

  write_stub_units
  # A clean environment: systemd would take e.g. the caller's DBUS_SYSTEM_BUS_ADDRESS (a test's,
  # pointing at another sandbox) for its own bus, and pass the rest on to every unit.
  exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin container=other \
    SYSTEMD_UNIT_PATH=$STUB_UNITS:/run/systemd/system \
    /lib/systemd/systemd --system --unit=sandbox.target --log-target=journal --log-level=info
}

# The systemd below the unshare launcher, once its bus socket exists; empty if it died.
wait_for_systemd() { # LAUNCHER_PID
  local launcher=$1 children child deadline=$((SECONDS + 10))
  while ((SECONDS < deadline)) && alive "$launcher"; do
    read -ra children < <(cat /proc/"$launcher"/task/*/children 2>/dev/null)
    for child in "${children[@]}"; do
      if is_sandbox_systemd "$child" && [[ -S /proc/$child/root/run/dbus/system_bus_socket ]]; then
        echo "$child"
        return
      fi
    done
    sleep 0.02
  done
}

# The bus is socket-activated: the first call starts dbus-daemon, which then has to see systemd.
wait_for_bus() { # ADDRESS
  local deadline=$((SECONDS + 10))
  # A short timeout: while systemd is not on the bus yet, dbus-daemon holds each call for 25 s.
  until DBUS_SYSTEM_BUS_ADDRESS=$1 busctl --system --timeout=1 call org.freedesktop.systemd1 \
    /org/freedesktop/systemd1 org.freedesktop.DBus.Peer Ping >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.02
  done
}

start() {
  SANDBOX_DOCKER=0 SANDBOX_NETWORK=host SANDBOX_MACHINE_ID="" SANDBOX_HOSTNAME=""
  while (($#)); do
    case $1 in
      --docker) SANDBOX_DOCKER=1 ;;
      --private-network) SANDBOX_NETWORK=private ;;
      --machine-id)
        SANDBOX_MACHINE_ID=${2:-}
        shift
        [[ $SANDBOX_MACHINE_ID =~ ^[0-9a-f]{32}$ ]] || die "--machine-id takes 32 lowercase hex digits"
        ;;
      --hostname)
        SANDBOX_HOSTNAME=${2:-}
        shift
        [[ $SANDBOX_HOSTNAME =~ ^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$ ]] || die "--hostname takes a host name"
        ;;
      *) die "unknown option for start: $1" ;;
    esac
    shift
  done
  export SANDBOX_DOCKER SANDBOX_NETWORK SANDBOX_MACHINE_ID SANDBOX_HOSTNAME

  local log launcher pid address namespaces=(--pid --fork --mount --mount-proc --uts)
  [[ $SANDBOX_NETWORK == private ]] && namespaces+=(--net)
  log=$(mktemp /var/tmp/deckhand-sandbox.XXXXXX.log)
  # setsid: the sandbox must not get the caller's terminal signals.
  setsid unshare "${namespaces[@]}" bash "$SELF" __boot </dev/null >"$log" 2>&1 &
  launcher=$!
  pid=$(wait_for_systemd "$launcher")
  address=unix:path=/proc/$pid/root/run/dbus/system_bus_socket
  if [[ -z $pid ]] || ! wait_for_bus "$address"; then
    # Killing the namespace's PID 1 (or the launcher, if systemd never came) ends everything in it.
    kill -KILL "${pid:-$launcher}" 2>/dev/null || true
    wait_until_gone "${pid:-$launcher}" 10 || true
    cat "$log" >&2
    rm -f "$log"
    die "systemd did not come up with a bus" 1
  fi
  # Named by PID so that stop finds it; the launcher keeps writing to the same file.
  mv "$log" "$(log_path_of "$pid")"
  echo "SANDBOX_PID=$pid"
  echo "SANDBOX_ROOT=/proc/$pid/root"
  echo "DBUS_SYSTEM_BUS_ADDRESS=$address"
  echo "SANDBOX_LOG=$(log_path_of "$pid")"
}

exec_inside() {
  local pid=${1:-}
  if [[ ! $pid =~ ^[0-9]+$ ]] || (($# < 2)); then usage; fi
  is_sandbox_systemd "$pid" || die "$pid is not a sandbox's systemd"
  shift
  # Programs inside find the sandbox's bus at the default path; the outside address (through
  # /proc/PID/root) means nothing in the sandbox's own /proc.
  unset DBUS_SYSTEM_BUS_ADDRESS
  local namespaces=(--mount --pid --uts)
  # A sandbox started with --private-network: COMMAND shares its network, as a unit would. Any
  # other sandbox leaves the caller's network alone.
  [[ $(readlink "/proc/$pid/ns/net") != $(readlink /proc/1/ns/net) ]] && namespaces+=(--net)
  exec nsenter --target "$pid" "${namespaces[@]}" -- "$@"
}

stop() {
  local pid=${1:-}
  [[ $pid =~ ^[0-9]+$ ]] || usage
  if alive "$pid"; then
    is_sandbox_systemd "$pid" || die "$pid is not a sandbox's systemd; not killing it"
    kill -KILL "$pid"
    wait_until_gone "$pid" 10 || die "sandbox $pid still runs 10 s after SIGKILL" 1
  fi
  rm -f "$(log_path_of "$pid")"
}

(($(id -u) == 0)) || die "needs root (it creates namespaces and mounts)"
command=${1:-}
shift || true
case $command in
  start) start "$@" ;;
  exec) exec_inside "$@" ;;
  stop) stop "$@" ;;
  __boot) boot ;;
  *) usage ;;
esac
