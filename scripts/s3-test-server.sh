#!/bin/bash
# A real S3-compatible server on loopback for the S3 tests: single-node Ceph (one mon, one
# memstore OSD, no cephx) plus radosgw, all state in one folder, nothing outside it.
# Debian 12 ships Ceph 16 (pacific): ListObjectsV2 paging, DeleteObjects, multipart, and
# conditional PutObject (If-None-Match: *, If-Match with an UNQUOTED ETag) all work.
#
#   scripts/s3-test-server.sh start DIR   installs Ceph if absent (apt, needs root), starts it,
#                                         creates one user (no buckets), prints one line:
#                                         endpoint=http://127.0.0.1:PORT access_key=... secret_key=...
#   scripts/s3-test-server.sh stop DIR    stops the daemons started in DIR
#
# Ports: the mon and radosgw take free loopback ports (MON_PORT / RGW_PORT override), so two
# test runs on one machine do not collide. With S3_SERVER_OWNER_PID set, a watchdog stops the
# daemons once that process is gone, so a killed test run leaves nothing behind. Daemons run
# in the foreground of background jobs so their ids are recorded the moment they exist: `stop`
# can never miss one.
set -euo pipefail

cmd=${1:-} dir=${2:-}
if [[ -z $cmd || -z $dir || ! $cmd =~ ^(start|stop|start-once)$ ]]; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi
dir=$(realpath -m "$dir")
self=$(realpath "$0")
pids_file=$dir/run/daemons.pids

stop_daemons() {
  [[ -f $pids_file ]] || return 0
  local pids
  pids=$(tac "$pids_file")
  # shellcheck disable=SC2086
  kill $pids 2>/dev/null || true
  for _ in $(seq 1 50); do
    local alive=0
    for p in $pids; do kill -0 "$p" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.2
  done
  # shellcheck disable=SC2086
  kill -9 $pids 2>/dev/null || true
  rm -f "$pids_file"
}

if [[ $cmd == stop ]]; then
  stop_daemons
  exit 0
fi

required=(radosgw radosgw-admin ceph-mon ceph-osd ceph monmaptool)
missing() { for c in "${required[@]}"; do command -v "$c" >/dev/null || return 0; done; return 1; }
if missing; then
  if [[ $(id -u) != 0 ]]; then
    echo "Ceph is not installed and this is not root: run" >&2
    echo "  sudo apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd" >&2
    exit 1
  fi
  echo "installing radosgw ceph-mon ceph-osd with apt-get (once per machine)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq >&2
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends radosgw ceph-mon ceph-osd >&2
  if missing; then echo "apt-get finished but ${required[*]} are still not all on PATH" >&2; exit 1; fi
fi

# A start can still fail for reasons a second try with fresh ports and state does not meet
# (a port taken between the check and the bind): try twice before giving up.
if [[ $cmd == start ]]; then
  for attempt in 1 2; do
    "$self" start-once "$dir" && exit 0
    stop_daemons
    ((attempt == 1)) && echo "S3 test server: start attempt $attempt failed, trying once more" >&2
  done
  exit 1
fi

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p
  for _ in $(seq 1 100); do
    # Below Linux's ephemeral range (32768+), so no outgoing connection holds the port.
    p=$((20000 + RANDOM % 12000))
    port_in_use "$p" || { echo "$p"; return 0; }
  done
  echo "no free loopback port found" >&2
  return 1
}
mon_port=${MON_PORT:-$(free_port)}
rgw_port=${RGW_PORT:-$(free_port)}
for p in "$mon_port" "$rgw_port"; do
  if port_in_use "$p"; then echo "port $p on 127.0.0.1 is already taken by another program" >&2; exit 1; fi
done
random_token() { tr -dc "$1" </dev/urandom | head -c "$2" || true; }
access_key=SLUICE$(random_token 'A-Z0-9' 14)
secret_key=$(random_token 'A-Za-z0-9' 40)

rm -rf "$dir" && mkdir -p "$dir"/{mon.a,osd.0,run,log,rgw.a}
started=0
on_exit() {
  local status=$?
  if ((!started)); then
    stop_daemons
    echo "S3 test server did not start (exit $status); last log lines from $dir/log:" >&2
    tail -n 15 "$dir"/log/* >&2 2>/dev/null || true
  fi
}
trap on_exit EXIT

fsid=$(cat /proc/sys/kernel/random/uuid)
cat >"$dir/ceph.conf" <<CONF
[global]
fsid = $fsid
mon host = v1:127.0.0.1:$mon_port
mon initial members = a
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = true
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon max pg per osd = 1000
mon warn on pool no redundancy = false
osd objectstore = memstore
memstore device bytes = 1073741824
run dir = $dir/run
log file = $dir/log/\$name.log
admin socket = $dir/run/\$name.asok
ms bind ipv6 = false
ms bind msgr2 = false
[mon.a]
mon data = $dir/mon.a
public addr = 127.0.0.1
[osd.0]
osd data = $dir/osd.0
osd journal size = 100
# The script places the OSD in the crush map itself. Left on, the OSD sends these updates at
# boot, sometimes before it has the monmap, with a zero fsid: the mon refuses ('wrong fsid')
# and the OSD never comes up.
osd crush update on start = false
osd class update on start = false
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$rgw_port
rgw dns name = 127.0.0.1
rgw data = $dir/rgw.a
CONF

conf=(-c "$dir/ceph.conf")
ceph_cli() { ceph "${conf[@]}" --connect-timeout 60 "$@" >>"$dir/log/setup.out" 2>&1; }
# `-f` keeps each daemon in the foreground of a background job: $! is its real id.
launch() {
  local name=$1
  shift
  "$@" -f </dev/null >>"$dir/log/$name.out" 2>&1 &
  echo $! >>"$pids_file"
}

if [[ -n ${S3_SERVER_OWNER_PID:-} ]]; then
  (
    while kill -0 "$S3_SERVER_OWNER_PID" 2>/dev/null; do sleep 2; done
    "$self" stop "$dir"
  ) </dev/null >/dev/null 2>&1 &
fi
monmaptool --create --addv a "[v1:127.0.0.1:$mon_port]" --fsid "$fsid" --clobber "$dir/monmap" >>"$dir/log/setup.out"
ceph-mon "${conf[@]}" --mkfs -i a --monmap "$dir/monmap" >>"$dir/log/setup.out" 2>&1
launch mon.a ceph-mon "${conf[@]}" -i a
ceph_cli osd create
ceph-osd "${conf[@]}" -i 0 --mkfs >>"$dir/log/setup.out" 2>&1
ceph_cli osd crush add-bucket node1 host
ceph_cli osd crush move node1 root=default
ceph_cli osd crush add osd.0 1.0 host=node1
launch osd.0 ceph-osd "${conf[@]}" -i 0
osd_pid=$!
# radosgw needs a live OSD to create its pools; waiting here turns a dead OSD into a quick, clear failure.
for _ in $(seq 1 120); do
  kill -0 "$osd_pid" 2>/dev/null || { echo "ceph-osd exited while starting" >&2; exit 1; }
  ceph "${conf[@]}" --connect-timeout 10 osd stat 2>/dev/null | grep -q ' 1 up' && break
  sleep 0.5
done
ceph "${conf[@]}" --connect-timeout 10 osd stat 2>/dev/null | grep -q ' 1 up' || { echo "ceph-osd did not come up within 60 s" >&2; exit 1; }
launch rgw.a radosgw "${conf[@]}" -n client.rgw.a
rgw_pid=$!
for _ in $(seq 1 120); do
  kill -0 "$rgw_pid" 2>/dev/null || { echo "radosgw exited while starting (port $rgw_port taken?)" >&2; exit 1; }
  port_in_use "$rgw_port" && break
  sleep 0.5
done
port_in_use "$rgw_port" || { echo "radosgw did not listen on 127.0.0.1:$rgw_port within 60 s" >&2; exit 1; }
radosgw-admin "${conf[@]}" user create --uid=sluice --display-name=sluice \
  --access-key="$access_key" --secret-key="$secret_key" >>"$dir/log/setup.out" 2>&1
started=1
echo "endpoint=http://127.0.0.1:$rgw_port access_key=$access_key secret_key=$secret_key"
