# HDFS, one NameNode and one DataNode in one JVM: Hadoop's own MiniDFSClusterManager from the
# shaded hadoop-client-minicluster jar (Maven Central), run on Java 17 with the --add-opens flags
# Hadoop needs. NameNode RPC and WebHDFS have fixed ports; the DataNode's are picked at random
# (MiniDFSCluster forces that), and WebHDFS redirects to them on 127.0.0.1.
# Permissions are enforced with simple auth (`user.name`); the superuser is the OS user running
# the JVM. The data survives a restart: the name directory is formatted only on the first start.

: "${WHARF_HDFS_VERSION:=3.5.0}"
HDFS_SLF4J_VERSION=1.7.36
# The folder and owner wharf's archive sink is configured with (config/actors.json).
: "${WHARF_HDFS_USER:=wharf}"
WHARF_HDFS_ROOT=/wharf

hdfs_home() { echo "$WHARF_STACK_CACHE/hdfs-$WHARF_HDFS_VERSION"; }

hdfs_install() {
  mvn_lib_install "$(hdfs_home)" "Hadoop $WHARF_HDFS_VERSION (hadoop-client-minicluster)" hdfs-pom.xml \
    -e "s/@HADOOP_VERSION@/$WHARF_HDFS_VERSION/" -e "s/@SLF4J_VERSION@/$HDFS_SLF4J_VERSION/"
}

# Java 17 flags Hadoop 3.5 needs (reflection into java.base), as its own scripts pass them.
hdfs_java_flags() {
  local p
  echo -XX:+IgnoreUnrecognizedVMOptions
  for p in java.lang java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
    java.util.zip sun.nio.ch sun.security.util sun.security.x509; do
    echo "--add-opens=java.base/$p=ALL-UNNAMED"
  done
}

hdfs_start() {
  local dir home format=(); dir=$(svc_dir hdfs); home=$(hdfs_home)
  mkdir -p "$dir/tmp"
  [ -d "$dir/data/name-0-1/current" ] || format=(-format)
  rm -f "$dir/cluster.xml"
  # The DataNode's own client closes each WebHDFS write; HDFS's default first wait of 400 ms
  # for the block to be reported complete cost half of all APPENDs 0.4 s (README, benchmarks).
  # shellcheck disable=SC2046
  svc_spawn hdfs "$(java_bin)" "-Xms128m" "-Xmx$WHARF_HDFS_HEAP" -XX:+UseSerialGC \
    $(hdfs_java_flags) "-Djava.io.tmpdir=$dir/tmp" \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -Dorg.slf4j.simpleLogger.log.org.apache.hadoop.test.MiniDFSClusterManager=info \
    -cp "$home/lib/*" org.apache.hadoop.test.MiniDFSClusterManager "${format[@]}" \
    -nnport "$WHARF_HDFS_RPC_PORT" -httpport "$WHARF_HDFS_HTTP_PORT" -datanodes 1 \
    -D "hdfs.minidfs.basedir=$dir/data" -D "hadoop.tmp.dir=$dir/tmp" \
    -D dfs.permissions.enabled=true -D dfs.replication=1 \
    -D dfs.client.block.write.locateFollowingBlock.initial.delay.ms=20 \
    -writeConfig "$dir/cluster.xml"
}

# Runs one of Hadoop's command-line tools against this cluster as the superuser, e.g.
# `hdfs_tool org.apache.hadoop.hdfs.tools.DFSAdmin -safemode enter` (tests use it through bash).
hdfs_tool() {
  local cls=$1; shift
  # shellcheck disable=SC2046
  "$(java_bin)" -Xmx128m $(hdfs_java_flags) -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "$(hdfs_home)/lib/*" "$cls" -fs "hdfs://127.0.0.1:$WHARF_HDFS_RPC_PORT" "$@"
}

hdfs_url() { echo "http://127.0.0.1:$WHARF_HDFS_HTTP_PORT/webhdfs/v1$1?user.name=$(id -un)&$2"; }

# Usable = out of safe mode and a file written through WebHDFS (NameNode, then the DataNode it
# redirects to) reads back the same; then wharf's folder exists, owned by wharf's user.
hdfs_ready() {
  [ -f "$(svc_dir hdfs)/cluster.xml" ] || return 1
  local marker="ready-$$-$RANDOM" probe=/.wharf-stack-probe location
  location=$(curl -sf -X PUT "$(hdfs_url "$probe" 'op=CREATE&overwrite=true&noredirect=true')" \
    | sed -n 's/.*"Location":"\([^"]*\)".*/\1/p')
  [ -n "$location" ] || return 1
  printf '%s' "$marker" | curl -sf -X PUT -T - "$location" >/dev/null || return 1
  [ "$(curl -sfL "$(hdfs_url "$probe" op=OPEN)")" = "$marker" ] || return 1
  curl -sf -X DELETE "$(hdfs_url "$probe" op=DELETE)" >/dev/null || return 1
  curl -sf -X PUT "$(hdfs_url "$WHARF_HDFS_ROOT" op=MKDIRS)" | grep -q '"boolean":true' || return 1
  curl -sf -X PUT "$(hdfs_url "$WHARF_HDFS_ROOT" "op=SETOWNER&owner=$WHARF_HDFS_USER")" >/dev/null
}

hdfs_ports() { echo "$WHARF_HDFS_RPC_PORT $WHARF_HDFS_HTTP_PORT"; }
hdfs_version() { echo "hadoop $WHARF_HDFS_VERSION (minicluster)"; }
