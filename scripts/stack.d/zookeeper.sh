# ZooKeeper from Debian's `zookeeper` package, run directly with java (not through systemd or
# zkServer.sh, which read Debian's fixed config directories). Standalone, four-letter words on.

zookeeper_install() {
  apt_ensure zookeeper
}

zookeeper_start() {
  local dir; dir=$(svc_dir zookeeper)
  mkdir -p "$dir/data"
  cat >"$dir/zoo.cfg" <<CFG
tickTime=1000
initLimit=10
syncLimit=5
dataDir=$dir/data
clientPort=$WHARF_ZK_PORT
clientPortAddress=127.0.0.1
maxClientCnxns=500
minSessionTimeout=2000
maxSessionTimeout=60000
autopurge.purgeInterval=1
4lw.commands.whitelist=ruok,srvr,stat,mntr
admin.enableServer=false
CFG
  svc_spawn zookeeper "$(java_bin)" "-Xms$WHARF_ZK_HEAP" "-Xmx$WHARF_ZK_HEAP" \
    -cp /usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar \
    org.apache.zookeeper.server.ZooKeeperServerMain "$dir/zoo.cfg"
}

# Usable = answers `ruok` and reports itself serving in standalone mode.
zookeeper_ready() {
  [ "$(tcp_ask "$WHARF_ZK_PORT" ruok)" = imok ] && tcp_ask "$WHARF_ZK_PORT" srvr | grep -q '^Mode: standalone'
}

zookeeper_ports() { echo "$WHARF_ZK_PORT"; }
zookeeper_version() { dpkg-query -W -f='${Version}' zookeeper 2>/dev/null; }
