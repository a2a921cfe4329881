# Elasticsearch, one node, from Maven Central's integ-test distribution (a zip without bundled JDK
# and with only the transport-netty4, x-pack-core and x-pack-security modules; see README).
# Elasticsearch refuses to run as root, so as root it runs as the system user wharf-es.

: "${WHARF_ES_VERSION:=8.19.21}"
ES_USER=wharf-es

es_home() { echo "$WHARF_STACK_CACHE/elasticsearch-$WHARF_ES_VERSION"; }

elasticsearch_install() {
  local home; home=$(es_home)
  [ -f "$home/.installed" ] && return 0
  command -v mvn >/dev/null || apt_ensure maven
  command -v unzip >/dev/null || apt_ensure unzip
  log "fetching Elasticsearch $WHARF_ES_VERSION (integ-test-zip) from Maven Central"
  local tmp; tmp=$(mktemp -d)
  mvn -q -B dependency:copy \
    "-Dartifact=org.elasticsearch.distribution.integ-test-zip:elasticsearch:$WHARF_ES_VERSION:zip" \
    "-DoutputDirectory=$tmp" >"$tmp/mvn.log" 2>&1 \
    || { tail -n 30 "$tmp/mvn.log" >&2; die "Maven could not fetch Elasticsearch $WHARF_ES_VERSION"; }
  rm -rf "$home" && mkdir -p "$(dirname "$home")"
  unzip -q "$tmp/elasticsearch-$WHARF_ES_VERSION.zip" -d "$tmp/x" || die "could not unpack Elasticsearch"
  mv "$tmp/x/elasticsearch-$WHARF_ES_VERSION" "$home"
  chmod -R a+rX "$home"
  rm -rf "$tmp"
  touch "$home/.installed"
}

es_ensure_user() {
  [ "$(id -u)" = 0 ] || return 0
  id "$ES_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$ES_USER" \
    || die "could not create the system user $ES_USER that Elasticsearch runs as"
}

elasticsearch_start() {
  local dir; dir=$(svc_dir elasticsearch)
  es_prepare elasticsearch "$WHARF_ES_HEAP"
  cat >"$dir/config/elasticsearch.yml" <<CFG
$(es_node_settings wharf-local "$WHARF_ES_PORT" "$WHARF_ES_TRANSPORT_PORT" "$dir")
xpack.security.enabled: false
$(es_test_settings)
CFG
  es_spawn elasticsearch
}

# One single-node cluster CLUSTER on loopback, its ports and folders.
es_node_settings() {
  local cluster=$1 http_port=$2 transport_port=$3 dir=$4
  cat <<CFG
cluster.name: $cluster
node.name: $cluster-1
discovery.type: single-node
network.host: 127.0.0.1
http.port: $http_port
transport.port: $transport_port
path.data: $dir/data
path.logs: $dir/logs
CFG
}

# The settings Elasticsearch's own test clusters use: no disk watermarks, wildcard deletes allowed.
es_test_settings() {
  cat <<CFG
cluster.routing.allocation.disk.watermark.low: 1b
cluster.routing.allocation.disk.watermark.high: 1b
cluster.routing.allocation.disk.watermark.flood_stage: 1b
action.destructive_requires_name: false
indices.breaker.total.use_real_memory: false
CFG
}

# A node's folder (config copied from the distribution, data, logs, tmp) and its heap.
es_prepare() {
  local name=$1 heap=$2 dir; dir=$(svc_dir "$name")
  es_ensure_user
  mkdir -p "$dir/config/jvm.options.d" "$dir/data" "$dir/logs" "$dir/tmp"
  cp -r "$(es_home)/config/." "$dir/config/"
  printf -- '-Xms%s\n-Xmx%s\n' "$heap" "$heap" >"$dir/config/jvm.options.d/heap.options"
}

# Starts the node NAME from the distribution in HOME (default: the plain one).
es_spawn() {
  local name=$1 home=${2:-$(es_home)} dir; dir=$(svc_dir "$name")
  # The run folder's parents must be traversable by the Elasticsearch user.
  local runas=()
  if [ "$(id -u)" = 0 ]; then
    chown -R "$ES_USER" "$dir"
    chmod a+x "$WHARF_STACK_RUN"
    runas=(runuser -u "$ES_USER" --)
  fi
  svc_spawn "$name" "${runas[@]}" env "ES_PATH_CONF=$dir/config" "ES_TMPDIR=$dir/tmp" \
    "ES_JAVA_HOME=$WHARF_JAVA17_HOME" "$home/bin/elasticsearch"
}

# Usable = cluster health yellow or green (this distribution has no `GET /` info endpoint).
elasticsearch_ready() {
  curl -sf "http://127.0.0.1:$WHARF_ES_PORT/_cluster/health?wait_for_status=yellow&timeout=2s" | grep -qE '"status":"(green|yellow)"'
}

elasticsearch_ports() { echo "$WHARF_ES_PORT $WHARF_ES_TRANSPORT_PORT"; }
elasticsearch_version() { echo "$WHARF_ES_VERSION"; }
