# Shared helpers for scripts/stack: paths, ports, process bookkeeping, waiting.
# Sourced, never executed. Every service file (zookeeper.sh, kafka.sh, ...) builds on these.

STACK_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

if [ "$(id -u)" = 0 ]; then
  : "${WHARF_STACK_CACHE:=/var/cache/wharf-stack}"
  : "${WHARF_STACK_RUN:=/var/lib/wharf-stack}"
else
  : "${WHARF_STACK_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/wharf-stack}"
  : "${WHARF_STACK_RUN:=${XDG_STATE_HOME:-$HOME/.local/state}/wharf-stack}"
fi

# Ports: the same variables are read by wharf's own config (src/config/environment.ts).
: "${WHARF_ZK_PORT:=2181}"
: "${WHARF_KAFKA_PORT:=9092}"
: "${WHARF_KAFKA_CONTROLLER_PORT:=9093}"
: "${WHARF_ES_PORT:=9200}"
: "${WHARF_ES_TRANSPORT_PORT:=9300}"
: "${WHARF_COUCHDB_PORT:=5984}"
# The secured variants (scripts/stack up --secure; see secrets.sh for their credentials).
: "${WHARF_KAFKA_SASL_PORT:=9094}"
: "${WHARF_KAFKA_MTLS_PORT:=9095}"
: "${WHARF_ES_SECURE_PORT:=9201}"
: "${WHARF_ES_SECURE_TRANSPORT_PORT:=9301}"
: "${WHARF_COUCHDB_SECURE_PORT:=6984}"
# The CouchDB admin seeded on first start; wharf reads the same variables.
: "${WHARF_COUCHDB_USER:=wharf}"
: "${WHARF_COUCHDB_PASSWORD:=wharf-local-dev}"

# Heaps sized for a 2-core, 24 GiB machine that also runs the test suite.
: "${WHARF_ZK_HEAP:=128m}"
: "${WHARF_KAFKA_HEAP:=512m}"
: "${WHARF_ES_HEAP:=768m}"
: "${WHARF_ES_SECURE_HEAP:=512m}"

: "${WHARF_JAVA17_HOME:=/usr/lib/jvm/java-17-openjdk-amd64}"
: "${WHARF_STACK_WAIT_SECONDS:=180}"

log() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] ERROR: %s\n' "$*" >&2; exit 1; }

# The secured stack compiles Java (an Elasticsearch plugin, the Kafka setup program): a JDK, not a JRE.
jdk_ensure() {
  [ -x "$WHARF_JAVA17_HOME/bin/javac" ] || apt_ensure openjdk-17-jdk-headless
}

java_bin() {
  if [ -x "$WHARF_JAVA17_HOME/bin/java" ]; then echo "$WHARF_JAVA17_HOME/bin/java"; else command -v java; fi
}

svc_dir() { echo "$WHARF_STACK_RUN/$1"; }
svc_log() { echo "$WHARF_STACK_RUN/$1/$1.log"; }
svc_pidfile() { echo "$WHARF_STACK_RUN/$1/$1.pid"; }

# The pid in a service's pid file, if that process is alive and is ours: its command line must
# mention our run directory, so a recycled pid of some other program is never signalled.
svc_pid() {
  local pidfile pid
  pidfile=$(svc_pidfile "$1")
  [ -f "$pidfile" ] || return 1
  pid=$(cat "$pidfile")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$WHARF_STACK_RUN" || return 1
  echo "$pid"
}

# Starts "$@" in a new session (so down can signal its whole process group) with output to the log.
svc_spawn() {
  local name=$1; shift
  local log; log=$(svc_log "$name")
  mkdir -p "$(svc_dir "$name")"
  printf '\n===== %s starting: %s\n' "$(date -Is)" "$*" >>"$log"
  setsid "$@" >>"$log" 2>&1 </dev/null &
  echo $! >"$(svc_pidfile "$name")"
}

# Who listens on a TCP port of 127.0.0.1 (empty if nobody).
port_owner() {
  ss -ltnpH "sport = :$1" 2>/dev/null | head -1
}

require_free_port() {
  local name=$1 port=$2 owner
  owner=$(port_owner "$port")
  [ -z "$owner" ] || die "$name cannot start: port $port is already in use ($owner). Stop that process or set a different port variable."
}

# Waits until "$probe" succeeds, the process dies, or the bound passes; explains any failure.
wait_ready() {
  local name=$1 probe=$2 bound=${3:-$WHARF_STACK_WAIT_SECONDS}
  local started=$SECONDS pid
  while :; do
    if $probe >/dev/null 2>&1; then
      log "$name ready after $((SECONDS - started)) s"
      return 0
    fi
    if ! pid=$(svc_pid "$name"); then
      fail_with_log "$name" "its process exited before it became ready"
    fi
    if [ $((SECONDS - started)) -ge "$bound" ]; then
      fail_with_log "$name" "not ready after ${bound} s (probe: $probe)"
    fi
    sleep 0.5
  done
}

fail_with_log() {
  local name=$1 why=$2
  printf '[stack] ERROR: %s failed to start: %s\n[stack] last lines of %s:\n' "$name" "$why" "$(svc_log "$name")" >&2
  tail -n 40 "$(svc_log "$name")" >&2 2>/dev/null || true
  exit 1
}

# Stops a service's process group: TERM, then KILL after a grace period.
svc_stop() {
  local name=$1 grace=${2:-30} pid
  if ! pid=$(svc_pid "$name"); then
    rm -f "$(svc_pidfile "$name")"
    return 0
  fi
  log "stopping $name (process group $pid)"
  kill -TERM -- "-$pid" 2>/dev/null || true
  local deadline=$((SECONDS + grace))
  while pgrp_alive "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  if pgrp_alive "$pid"; then
    log "$name did not stop within ${grace} s; killing it"
    kill -KILL -- "-$pid" 2>/dev/null || true
    while pgrp_alive "$pid"; do sleep 0.1; done
  fi
  rm -f "$(svc_pidfile "$name")"
}

pgrp_alive() { [ -n "$(pgrep -g "$1" 2>/dev/null)" ]; }

# Resident memory of a service's whole process group, in MiB.
pgrp_rss_mib() {
  local total=0 p rss
  for p in $(pgrep -g "$1" 2>/dev/null); do
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null)
    total=$((total + ${rss:-0}))
  done
  echo $((total / 1024))
}

# Installs the Debian packages named, only if some are missing.
apt_ensure() {
  local missing=() pkg
  for pkg in "$@"; do
    [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" = "install ok installed" ] || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get to install them"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  log "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq >/dev/null || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
}

# Bash-only TCP exchange: sends a line, prints the reply (for ZooKeeper's four-letter words).
tcp_ask() {
  local port=$1 word=$2
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf '%s' "$word" >&3
  timeout 2 cat <&3
  exec 3<&- 3>&-
}
