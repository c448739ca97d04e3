#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for trying `dendrite-lab sweep --slurm` and
# for the test suite's Slurm test (Debian 12, root, no systemd needed).
#
#   scripts/slurm-local.sh start    start munged, slurmctld and slurmd (idempotent)
#   scripts/slurm-local.sh stop     stop them (by their process ids)
#   scripts/slurm-local.sh status   exit 0 when the node accepts jobs
#
# `start` writes /etc/slurm/slurm.conf (only if absent or written by this script) with
# proctrack/linuxproc and task/none, which need no cgroups. Where it cannot start (no
# slurm-wlm or munge installed: `scripts/setup.sh --cluster`; not root; a foreign
# slurm.conf) it says why and exits 0, so callers carry on without Slurm.
set -euo pipefail
MARK="# Written by Dendrite Lab's scripts/slurm-local.sh (one-node test cluster)."
CONF=/etc/slurm/slurm.conf

skip() { echo "slurm-local: not starting Slurm: $*" >&2; exit 0; }
node_up() { sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated|completing)'; }
pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

start_munge() {
  local key=/etc/munge/munge.key
  if [ ! -s "$key" ]; then
    if command -v mungekey >/dev/null; then mungekey --create --keyfile="$key" --force
    else dd if=/dev/urandom of="$key" bs=1024 count=1 status=none; fi
  fi
  chown munge:munge "$key"
  chmod 400 "$key"
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge
  if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    su -s /bin/sh munge -c /usr/sbin/munged
    for _ in $(seq 1 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && return 0; sleep 0.1; done
    skip "munged did not start (see /var/log/munge/munged.log)"
  fi
}

write_conf() {
  local h cpus mem
  h=$(hostname)
  cpus=$(nproc)
  mem=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 * 9 / 10 ))
  if [ -f "$CONF" ] && ! head -n 1 "$CONF" | grep -qF "$MARK"; then
    skip "$CONF exists and was not written by this script; start your own cluster"
  fi
  mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
  cat > "$CONF.new" <<CONF
$MARK
ClusterName=local
SlurmctldHost=$h
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
ReturnToService=2
NodeName=$h CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$h Default=YES MaxTime=INFINITE State=UP
CONF
  mv "$CONF.new" "$CONF"
}

case "${1:-status}" in
  start)
    command -v slurmctld >/dev/null && command -v slurmd >/dev/null || skip "slurm-wlm is not installed (scripts/setup.sh --cluster installs it)"
    command -v munged >/dev/null || [ -x /usr/sbin/munged ] || skip "munge is not installed (scripts/setup.sh --cluster installs it)"
    [ "$(id -u)" -eq 0 ] || skip "it needs root (it writes $CONF and starts the daemons)"
    if node_up; then echo "slurm-local: already running ($(sinfo -h -o '%P %D node(s) %T'))"; exit 0; fi
    start_munge
    write_conf
    pid_alive "$(cat /run/slurmctld.pid 2>/dev/null)" || slurmctld
    pid_alive "$(cat /run/slurmd.pid 2>/dev/null)" || slurmd
    for _ in $(seq 1 100); do
      node_up && { echo "slurm-local: running ($(sinfo -h -o '%P %D node(s) %T %c CPUs'))"; exit 0; }
      # A node left down or drained by an earlier stop comes back on request.
      sinfo -h -o %T 2>/dev/null | grep -qE 'down|drain' && scontrol update nodename="$(hostname)" state=resume 2>/dev/null || true
      sleep 0.2
    done
    skip "the node did not come up within 20 s (see /var/log/slurm/slurmctld.log and slurmd.log)"
    ;;
  stop)
    scontrol shutdown 2>/dev/null || true
    for f in /run/slurmd.pid /run/slurmctld.pid; do
      p=$(cat "$f" 2>/dev/null || true)
      for _ in $(seq 1 50); do pid_alive "$p" || break; sleep 0.1; done
      pid_alive "$p" && kill "$p"
    done
    p=$(cat /run/munge/munged.pid 2>/dev/null || true)
    pid_alive "$p" && kill "$p"
    echo "slurm-local: stopped"
    ;;
  status)
    if node_up; then sinfo; exit 0; fi
    echo "slurm-local: not running" >&2
    exit 1
    ;;
  *)
    echo "usage: scripts/slurm-local.sh start|stop|status" >&2
    exit 2
    ;;
esac
