#!/bin/sh
# What the official apache/kafka image does that docker/docker-compose.yaml relies on: every KAFKA_* variable is a
# broker property (KAFKA_NODE_ID becomes node.id), the storage is formatted on first start (CLUSTER_ID, else a new
# id), and the broker runs in KRaft mode.
set -e
config=/opt/kafka/config/server.properties
mkdir -p /opt/kafka/config /var/lib/kafka/data
: > "$config"
env | while IFS='=' read -r name value; do
  case "$name" in
    KAFKA_HEAP_OPTS|KAFKA_OPTS|KAFKA_JVM_PERFORMANCE_OPTS|KAFKA_LOG4J_OPTS) ;;
    KAFKA_*) printf '%s=%s\n' "$(printf '%s' "${name#KAFKA_}" | tr 'A-Z_' 'a-z.')" "$value" >> "$config" ;;
  esac
done
grep -q '^log.dirs=' "$config" || echo 'log.dirs=/var/lib/kafka/data' >> "$config"
run() { java ${KAFKA_HEAP_OPTS:--Xmx512m} ${KAFKA_OPTS:-} -cp '/opt/kafka/libs/*' "$@"; }
if [ ! -f /var/lib/kafka/data/meta.properties ]; then
  run kafka.tools.StorageTool format -t "${CLUSTER_ID:-$(run kafka.tools.StorageTool random-uuid)}" -c "$config" >/dev/null
fi
exec java ${KAFKA_HEAP_OPTS:--Xmx512m} ${KAFKA_OPTS:-} -cp '/opt/kafka/libs/*' kafka.Kafka "$config"
