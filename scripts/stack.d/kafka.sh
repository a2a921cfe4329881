# Apache Kafka, one node in KRaft mode (broker + controller), from Maven Central jars: a throwaway
# pom resolves kafka_2.13 and a log4j2 backend into a lib folder, and java runs kafka.Kafka.
# (The release tarball and its shell scripts are not downloadable here.)

: "${WHARF_KAFKA_VERSION:=4.1.2}"
KAFKA_LOG4J_VERSION=2.24.3

kafka_home() { echo "$WHARF_STACK_CACHE/kafka-$WHARF_KAFKA_VERSION"; }

kafka_install() {
  mvn_lib_install "$(kafka_home)" "Kafka $WHARF_KAFKA_VERSION" kafka-pom.xml \
    -e "s/@KAFKA_VERSION@/$WHARF_KAFKA_VERSION/" -e "s/@LOG4J_VERSION@/$KAFKA_LOG4J_VERSION/"
}

kafka_start() {
  local dir home; dir=$(svc_dir kafka); home=$(kafka_home)
  mkdir -p "$dir/data"
  cat >"$dir/server.properties" <<CFG
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$WHARF_KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$WHARF_KAFKA_PORT,CONTROLLER://127.0.0.1:$WHARF_KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$WHARF_KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=168
CFG
  cat >"$dir/log4j2.yaml" <<'CFG'
Configuration:
  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Logger:
      - name: kafka.request.logger
        level: WARN
    Root:
      level: INFO
      AppenderRef:
        - ref: STDOUT
CFG
  # A fresh data folder must be formatted once with a cluster id (kafka-storage.sh format).
  if [ ! -f "$dir/data/meta.properties" ]; then
    local cluster_id
    cluster_id=$("$(java_bin)" -cp "$home/lib/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
    "$(java_bin)" -Dlog4j2.configurationFile="$dir/log4j2.yaml" -cp "$home/lib/*" kafka.tools.StorageTool \
      format -t "$cluster_id" -c "$dir/server.properties" --ignore-formatted >>"$(svc_log kafka)" 2>&1 \
      || fail_with_log kafka "formatting the KRaft metadata folder failed"
  fi
  svc_spawn kafka "$(java_bin)" "-Xms256m" "-Xmx$WHARF_KAFKA_HEAP" -XX:+UseG1GC \
    -Dlog4j2.configurationFile="$dir/log4j2.yaml" -cp "$home/lib/*" kafka.Kafka "$dir/server.properties"
}

# Usable = a message produced with acks=all comes back from a consumer (kcat, a librdkafka client).
kafka_ready() {
  local marker="ready-$$-$RANDOM"
  echo "$marker" | timeout 10 kcat -q -b "127.0.0.1:$WHARF_KAFKA_PORT" -P -t wharf-stack-probe -X acks=all 2>/dev/null || return 1
  timeout 10 kcat -q -b "127.0.0.1:$WHARF_KAFKA_PORT" -C -t wharf-stack-probe -o -1 -c 1 -e 2>/dev/null | grep -q '^ready-'
}

kafka_ports() { echo "$WHARF_KAFKA_PORT $WHARF_KAFKA_CONTROLLER_PORT"; }
kafka_version() { echo "$WHARF_KAFKA_VERSION"; }
