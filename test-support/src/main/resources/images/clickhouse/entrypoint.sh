#!/bin/sh
# What the official clickhouse-server image does that docker/docker-compose.yaml relies on: CLICKHOUSE_USER and
# CLICKHOUSE_PASSWORD make the user the clients log in as; the server listens on all addresses.
set -e
user="${CLICKHOUSE_USER:-default}"
mkdir -p /etc/clickhouse-server/config.d /etc/clickhouse-server/users.d
cat > /etc/clickhouse-server/config.d/listen.xml <<XML
<yandex><listen_host>0.0.0.0</listen_host></yandex>
XML
cat > /etc/clickhouse-server/users.d/user.xml <<XML
<yandex><users><${user}><password>${CLICKHOUSE_PASSWORD:-}</password><networks><ip>::/0</ip></networks>
<profile>default</profile><quota>default</quota></${user}></users></yandex>
XML
exec setpriv --reuid=clickhouse --regid=clickhouse --init-groups clickhouse-server --config-file=/etc/clickhouse-server/config.xml
