#!/bin/sh
# What the official zookeeper image does that docker/docker-compose.cluster.yaml relies on: a standalone server on
# port 2181, the four-letter commands ZOO_4LW_COMMANDS_WHITELIST names.
set -e
mkdir -p /var/lib/zookeeper/data /var/log/zookeeper
cat > /etc/zookeeper/conf/zoo.cfg <<CFG
tickTime=2000
initLimit=10
syncLimit=5
dataDir=/var/lib/zookeeper/data
clientPort=2181
admin.enableServer=false
4lw.commands.whitelist=${ZOO_4LW_COMMANDS_WHITELIST:-srvr}
CFG
export ZOO_LOG_DIR=/var/log/zookeeper SERVER_JVMFLAGS="${SERVER_JVMFLAGS:--Xmx256m}"
exec /usr/share/zookeeper/bin/zkServer.sh start-foreground /etc/zookeeper/conf/zoo.cfg
