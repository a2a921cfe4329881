# Apache Kafka, one node in KRaft mode (broker + controller), from Maven Central jars: a throwaway
# pom resolves kafka_2.13 and a log4j2 backend into a lib folder, and java runs kafka.Kafka.
# (The release tarball and its shell scripts are not downloadable here.)
#
# Besides PLAINTEXT (9092, for the plain tests) the one broker always has two secured listeners,
# which cost no extra JVM: SASL_SSL (9094; SCRAM-SHA-512, SCRAM-SHA-256 and PLAIN) and SSL with
# required client certificates (9095; the certificate's CN is the user). StandardAuthorizer guards
# them; its super user User:ANONYMOUS is who PLAINTEXT and the controller listener authenticate
# as, so the plain listener behaves exactly as without an authorizer. The SCRAM users and their
# ACLs are made by `scripts/stack up --secure` (kafka_secure_provision, KafkaSecureSetup.java).

: "${WHARF_KAFKA_VERSION:=4.1.2}"
KAFKA_LOG4J_VERSION=2.24.3
# The secured listeners' users: the writer has every right on topics and groups named wharf*;
# the reader may only read and describe them (the "no write access" refusal).
KAFKA_WRITER=wharf
KAFKA_READER=wharf-reader
KAFKA_ACL_PREFIX=wharf

kafka_home() { echo "$WHARF_STACK_CACHE/kafka-$WHARF_KAFKA_VERSION"; }

kafka_install() {
  local home; home=$(kafka_home)
  [ -f "$home/.installed" ] && return 0
  command -v mvn >/dev/null || apt_ensure maven
  log "resolving Kafka $WHARF_KAFKA_VERSION from Maven Central into $home"
  mkdir -p "$home"
  sed -e "s/@KAFKA_VERSION@/$WHARF_KAFKA_VERSION/" -e "s/@LOG4J_VERSION@/$KAFKA_LOG4J_VERSION/" \
    "$STACK_REPO/scripts/stack.d/kafka-pom.xml" >"$home/pom.xml"
  rm -rf "${home:?}/lib"
  (cd "$home" && mvn -q -B dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=lib) \
    >"$home/mvn.log" 2>&1 || { tail -n 30 "$home/mvn.log" >&2; die "Maven could not resolve Kafka $WHARF_KAFKA_VERSION"; }
  touch "$home/.installed"
}

kafka_write_config() {
  local file=$1 dir tls; dir=$(svc_dir kafka); tls=$(tls_dir)
  tls_ensure
  mkdir -p "$dir"
  # The broker's PEM key store: its key and certificate in one file.
  (umask 077 && cat "$tls/server.key" "$tls/server.crt" >"$dir/broker.pem")
  (umask 077 && cat >"$file") <<CFG
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$WHARF_KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$WHARF_KAFKA_PORT,CONTROLLER://127.0.0.1:$WHARF_KAFKA_CONTROLLER_PORT,SASL_SSL://127.0.0.1:$WHARF_KAFKA_SASL_PORT,SSL://127.0.0.1:$WHARF_KAFKA_MTLS_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$WHARF_KAFKA_PORT,SASL_SSL://127.0.0.1:$WHARF_KAFKA_SASL_PORT,SSL://127.0.0.1:$WHARF_KAFKA_MTLS_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:ANONYMOUS
allow.everyone.if.no.acl.found=false
ssl.keystore.type=PEM
ssl.keystore.location=$dir/broker.pem
ssl.truststore.type=PEM
ssl.truststore.location=$tls/ca.crt
listener.name.ssl.ssl.client.auth=required
ssl.principal.mapping.rules=RULE:^CN=([^,]+),.*$/\$1/,DEFAULT
listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256,PLAIN
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$KAFKA_WRITER="$(secret kafka-writer-password)" user_$KAFKA_READER="$(secret kafka-reader-password)";
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
}

# The broker's configuration differs from what kafka_start would write now (an older stack
# script started it, or its secrets changed): it needs a restart to get the secured listeners.
kafka_config_changed() {
  local fresh same=0
  fresh=$(mktemp)
  kafka_write_config "$fresh"
  cmp -s "$(svc_dir kafka)/server.properties" "$fresh" && same=1
  rm -f "$fresh"
  [ "$same" = 0 ]
}

kafka_start() {
  local dir home; dir=$(svc_dir kafka); home=$(kafka_home)
  mkdir -p "$dir/data"
  kafka_write_config "$dir/server.properties"
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

kafka_ports() { echo "$WHARF_KAFKA_PORT $WHARF_KAFKA_CONTROLLER_PORT $WHARF_KAFKA_SASL_PORT $WHARF_KAFKA_MTLS_PORT"; }
kafka_version() { echo "$WHARF_KAFKA_VERSION"; }

# --- the secured listeners (scripts/stack up --secure) ---

# SCRAM credentials (both SHA-512 and SHA-256) and ACLs live in the KRaft metadata, so they are
# made once per data folder: the marker there holds a digest of what was made, and a changed
# password or user set makes them again. KafkaSecureSetup.java does it in one JVM, through the
# Admin API on the PLAINTEXT listener (whose ANONYMOUS principal is a super user).
kafka_secure_provision() {
  local dir home marker digest; dir=$(svc_dir kafka); home=$(kafka_home)
  marker="$dir/data/wharf-secure-users"
  digest=$(cat "$STACK_REPO/scripts/stack.d/KafkaSecureSetup.java" <(secret kafka-writer-password) <(secret kafka-reader-password) \
    <(echo "$KAFKA_WRITER $KAFKA_READER $KAFKA_ACL_PREFIX") | sha256sum | cut -c1-64)
  if [ "$(cat "$marker" 2>/dev/null)" != "$digest" ]; then
    log "creating Kafka's SCRAM users and ACLs ($KAFKA_WRITER, $KAFKA_READER on $KAFKA_ACL_PREFIX*)"
    jdk_ensure
    "$(java_bin)" -cp "$home/lib/*" "$STACK_REPO/scripts/stack.d/KafkaSecureSetup.java" "127.0.0.1:$WHARF_KAFKA_PORT" \
      "127.0.0.1:$WHARF_KAFKA_SASL_PORT" "$(tls_dir)/ca.crt" "$KAFKA_ACL_PREFIX" "$KAFKA_WRITER" "$(secrets_dir)/kafka-writer-password" "$KAFKA_READER" "$(secrets_dir)/kafka-reader-password" \
      >>"$(svc_log kafka)" 2>&1 || fail_with_log kafka "creating the SCRAM users and ACLs failed"
    echo "$digest" >"$marker"
  fi
  kafka_client_config writer "$KAFKA_WRITER" kafka-writer-password
  wait_ready kafka kafka_secure_ready 60
}

# A librdkafka (kcat) client configuration for USER on the SASL_SSL listener, mode 600, so the
# password never shows on a command line. PLAIN: Debian's librdkafka 2.0.2 cannot do SCRAM here
# (see KafkaSecureSetup.java, which checks the SCRAM logins instead).
kafka_client_config() {
  local name=$1 user=$2 password_secret=$3
  (umask 077 && cat >"$(secrets_dir)/kcat-$name.conf") <<CFG
security.protocol=SASL_SSL
sasl.mechanisms=PLAIN
sasl.username=$user
sasl.password=$(secret "$password_secret")
ssl.ca.location=$(tls_dir)/ca.crt
CFG
}

# Usable = the writer produces with acks=all and reads it back over SASL_SSL (TLS verified
# against the stack CA; SASL PLAIN, the writer's ACLs).
kafka_secure_ready() {
  local conf marker="secure-ready-$$-$RANDOM"
  conf="$(secrets_dir)/kcat-writer.conf"
  echo "$marker" | timeout 10 kcat -q -F "$conf" -b "127.0.0.1:$WHARF_KAFKA_SASL_PORT" -P -t wharf-stack-probe -X acks=all 2>/dev/null || return 1
  timeout 10 kcat -q -F "$conf" -b "127.0.0.1:$WHARF_KAFKA_SASL_PORT" -C -t wharf-stack-probe -o -1 -c 1 -e 2>/dev/null | grep -q 'ready-'
}
