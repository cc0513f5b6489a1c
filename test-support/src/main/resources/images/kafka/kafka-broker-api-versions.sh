#!/bin/bash
# The healthcheck docker/docker-compose.yaml gives the broker: here, whether the listener of --bootstrap-server
# accepts a connection (the broker opens it once it has started).
while [ $# -gt 0 ]; do
  [ "$1" = --bootstrap-server ] && server="$2"
  shift
done
server="${server:-localhost:9092}"
exec 3<>"/dev/tcp/${server%:*}/${server##*:}"
