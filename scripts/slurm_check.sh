#!/usr/bin/env bash
# Proves the README's Slurm recipe (scripts/slurm/) on a real one-node Slurm cluster on this
# machine, and that the merge of the shards is exactly the unsharded run.
#
#   scripts/slurm_check.sh        as root (.ci/run runs it after `make test`)
#
# 1. Installs the Debian packages slurm-wlm and munge when missing (only here: the user set-up
#    does not need them).
# 2. Writes a minimal one-node /etc/slurm/slurm.conf. It never touches a real cluster's set-up:
#    a slurm.conf that this script did not write makes it stop with FAIL.
# 3. Starts munged, slurmctld and slurmd when they are not running, and waits for the node to be
#    idle. The daemons it started are stopped when it ends (also on failure); ones that were
#    already running are left alone.
# 4. Builds the debug binary (`cargo build --locked`: nothing to do after `make test`) and makes a
#    small project in a temporary folder: 3 checkpoints of the demo's cnn3d-motion and one of
#    c2d-motion, a generated probe set of 36 clips made once before submitting, 48 pairs,
#    bootstrap 20, CPU, 1 thread, its own result cache.
# 5. Submits scripts/slurm/analyze_array.sbatch as an array of 3 shards and
#    scripts/slurm/merge.sbatch with --dependency=afterok on the array, waits with squeue
#    (timeout: $SLURM_CHECK_TIMEOUT seconds, default 300), and checks that every task and the
#    merge COMPLETED.
# 6. Runs the same job unsharded and compares the two report.json files: the same models,
#    checkpoints and layers; dims, pct and pair counts equal; scores, probabilities and total
#    variance to 1e-12 relative; bootstrap intervals: percentages equal, scores and
#    probabilities to 1e-12; unit categories equal, per-unit rho to 1e-12. Also: each shard
#    measured its third of the pairs, and no task rewrote the probe set.
# Prints one line `slurm check: PASS ...` or `slurm check: FAIL: ...` and exits non-zero on
# failure (Slurm's logs are printed then, and the temporary folder is kept).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
T0=$SECONDS
SHARDS=3
TIMEOUT=${SLURM_CHECK_TIMEOUT:-300}
CONF=/etc/slurm/slurm.conf
MARK="# stadyn one-node test cluster, written by scripts/slurm_check.sh (which rewrites it)"

log() { printf '[slurm-check %4ds] %s\n' $((SECONDS - T0)) "$*" >&2; }
fail() {
  echo "slurm check: FAIL: $*"
  exit 1
}

[[ $(id -u) -eq 0 ]] || fail "run as root: it installs Debian packages and starts Slurm's daemons"

# ---- Clean-up: our jobs, the daemons we started, the work folder ------------
STARTED=()     # "name pid" of the daemons this run started, in start order
JOBS=()        # Slurm job ids this run submitted
WORK=""
PASSED=0
OURS=0         # 1 once the cluster is known to be this script's (its logs are worth showing)
show_logs() {
  if [[ -n "$WORK" && -d "$WORK/logs" ]]; then
    for f in "$WORK"/logs/*; do
      [[ -f "$f" ]] || continue
      echo "---- $(basename "$f")"
      tail -n 40 "$f"
    done
  fi
  ((OURS)) || return 0
  for f in /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log; do
    [[ -f "$f" ]] || continue
    echo "---- $f (last lines)"
    tail -n 20 "$f"
  done
}
cleanup() {
  local rc=$?
  set +e
  if ((rc != 0)); then
    show_logs
    if ((${#JOBS[@]})); then
      scancel "${JOBS[@]}" 2>/dev/null
      local ids
      ids=$(IFS=,; echo "${JOBS[*]}")
      for _ in $(seq 30); do
        [[ -z "$(squeue -h -j "$ids" -o '%i' 2>/dev/null)" ]] && break
        sleep 1
      done
    fi
  fi
  local i name pid
  for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do
    read -r name pid <<<"${STARTED[i]}"
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null; fi
    log "stopped $name ($pid)"
  done
  if [[ -n "$WORK" ]]; then
    if ((PASSED)); then rm -rf "$WORK"; else log "kept $WORK for inspection"; fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "slurm check: FAIL: interrupted"; exit 130' INT
trap 'echo "slurm check: FAIL: terminated"; exit 143' TERM

# The pid in a pid file, when that process is running and has the expected name.
running_pid() {
  local pidfile=$1 name=$2 pid
  [[ -f "$pidfile" ]] || return 1
  pid=$(<"$pidfile")
  [[ "$pid" =~ ^[0-9]+$ ]] && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$name" ]] || return 1
  echo "$pid"
}
# Waits up to 10 s for a daemon that was just started to write its pid file.
started_pid() {
  for _ in $(seq 50); do
    running_pid "$1" "$2" && return 0
    sleep 0.2
  done
  return 1
}

# ---- 1. Debian packages --------------------------------------------------------
missing=()
for p in slurm-wlm munge; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    >/dev/null
fi

# ---- 2. slurm.conf (ours, or none) ---------------------------------------------
if [[ -e "$CONF" ]] && ! head -n 1 "$CONF" | grep -qxF "$MARK"; then
  fail "$CONF exists and was not written by this script (a real cluster?); not touching it"
fi
OURS=1
node=$(slurmd -C | grep -m 1 "^NodeName=" || true)
[[ -n "$node" ]] || fail "slurmd -C did not describe this node"
host=$(hostname -s)
conf="$MARK
ClusterName=stadyncheck
SlurmctldHost=$host(127.0.0.1)
AuthType=auth/munge
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
$node NodeAddr=127.0.0.1
PartitionName=check Nodes=$host Default=YES MaxTime=INFINITE State=UP"
# No cgroup.conf: Slurm 22.05 then starts without cgroups (it has no CgroupPlugin=disabled).
if [[ ! -f "$CONF" || "$(cat "$CONF")" != "$conf" ]]; then
  if running_pid /run/slurmctld.pid slurmctld >/dev/null ||
    running_pid /run/slurmd.pid slurmd >/dev/null; then
    fail "$CONF would change (host name, CPUs or memory) while Slurm's daemons run; stop them"
  fi
  mkdir -p "$(dirname "$CONF")"
  printf '%s\n' "$conf" >"$CONF"
  log "wrote $CONF"
fi
mkdir -p /var/spool/slurmctld /var/spool/slurmd /var/log/slurm

# ---- 3. Daemons -----------------------------------------------------------------
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  if [[ ! -s /etc/munge/munge.key ]]; then
    mkdir -p /etc/munge
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  fi
  mkdir -p /var/log/munge /run/munge /var/lib/munge
  chown -R munge:munge /etc/munge /var/log/munge /run/munge /var/lib/munge
  chmod 400 /etc/munge/munge.key
  runuser -u munge -- munged
  pid=$(started_pid /run/munge/munged.pid munged) || fail "munged did not start"
  STARTED+=("munged $pid")
  log "started munged ($pid)"
  munge -n | unmunge >/dev/null || fail "munge does not work"
fi
if ! running_pid /run/slurmctld.pid slurmctld >/dev/null; then
  slurmctld
  pid=$(started_pid /run/slurmctld.pid slurmctld) || fail "slurmctld did not start"
  STARTED+=("slurmctld $pid")
  log "started slurmctld ($pid)"
fi
if ! running_pid /run/slurmd.pid slurmd >/dev/null; then
  slurmd
  pid=$(started_pid /run/slurmd.pid slurmd) || fail "slurmd did not start"
  STARTED+=("slurmd $pid")
  log "started slurmd ($pid)"
fi
state=""
for _ in $(seq 60); do
  state=$(sinfo -h -N -n "$host" -o '%t' 2>/dev/null | head -n 1 || true)
  [[ "$state" == idle || "$state" == mix ]] && break
  if [[ "$state" == down* || "$state" == drain* ]]; then
    scontrol update NodeName="$host" State=RESUME 2>/dev/null || true
  fi
  sleep 1
done
[[ "$state" == idle || "$state" == mix ]] ||
  fail "node $host is not idle after 60 s (sinfo: '${state:-nothing}')"
log "node $host is $state ($(sinfo -h -o '%P %c CPUs' | head -n 1))"

# ---- 4. Binary and project --------------------------------------------------------
eval "$(scripts/setup.sh --env)"
cargo build --locked --quiet
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
[[ "$TARGET_DIR" == /* ]] || TARGET_DIR="$ROOT/$TARGET_DIR"
BIN="$TARGET_DIR/debug/stadyn"
[[ -x "$BIN" ]] || fail "no binary at $BIN"
log "binary ready"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/stadyn-slurm-check.XXXXXX")
mkdir -p "$WORK/models/cnn3d-motion" "$WORK/models/c2d-motion" "$WORK/logs"
for e in 00.00 01.00 10.00; do
  cp sample_data/models/cnn3d-motion/epoch_$e.{pt,json} "$WORK/models/cnn3d-motion/"
done
cp sample_data/models/c2d-motion/epoch_10.00.{pt,json} "$WORK/models/c2d-motion/"
cat >"$WORK/project.stadyn.toml" <<'EOF'
name = "slurm check"

[probe]
videos = "probe"
pairs = 48
seed = 5

[probe.generate]
task = "scenes"
n = 36
seed = 11

[estimator]
threshold = 0.5
bootstrap = 20

[run]
device = "cpu"
threads = 1

[[model]]
name = "cnn3d-motion"
checkpoints = "models/cnn3d-motion"

[[model]]
name = "c2d-motion"
path = "models/c2d-motion/epoch_10.00.pt"
EOF
export STADYN="$BIN" STADYN_CACHE_DIR="$WORK/cache"
# The probe set, once, before any task starts (the same clips [probe.generate] asks for, so
# the tasks find it in place and write nothing).
"$BIN" demo-data --task scenes --n 36 --seed 11 --out "$WORK/probe" --quiet
probe_stamp=$(stat -c '%i %Y' "$WORK/probe/clips.npy")

# ---- 5. Slurm: the array of shards, and the merge after it ---------------------
cd "$WORK"
out=$(sbatch --parsable --array=0-$((SHARDS - 1)) --cpus-per-task=1 --time=00:10:00 \
  --output="$WORK/logs/analyze-%A_%a.log" \
  "$ROOT/scripts/slurm/analyze_array.sbatch" "$WORK/project.stadyn.toml" "$WORK/shards") ||
  fail "sbatch of the array failed"
array=${out%%;*}
JOBS+=("$array")
out=$(sbatch --parsable --dependency="afterok:$array" --output="$WORK/logs/merge-%j.log" \
  "$ROOT/scripts/slurm/merge.sbatch" "$WORK/shards" "$WORK/merged") ||
  fail "sbatch of the merge failed"
merge=${out%%;*}
JOBS+=("$merge")
cd "$ROOT"
log "submitted array job $array (shards 0-$((SHARDS - 1))) and merge job $merge (afterok:$array)"
t_submit=$SECONDS
while [[ -n "$(squeue -h -j "$array,$merge" -o '%i' 2>/dev/null)" ]]; do
  ((SECONDS - t_submit < TIMEOUT)) ||
    fail "jobs still queued or running after $TIMEOUT s: $(squeue -h -j "$array,$merge" \
      -o '%i %T %r' | tr '\n' ' ')"
  sleep 1
done
t_slurm=$((SECONDS - t_submit))
# No accounting: finished jobs stay visible to scontrol for MinJobAge (300 s).
states=$(scontrol -o show job "$array" | grep -o 'JobState=[A-Z_]*' || true)
n_done=$(grep -c '^JobState=COMPLETED$' <<<"$states" || true)
((n_done == SHARDS)) ||
  fail "array job $array: $n_done of $SHARDS tasks COMPLETED ($(tr '\n' ' ' <<<"$states"))"
mstate=$(scontrol -o show job "$merge" | grep -o 'JobState=[A-Z_]*' || true)
[[ "$mstate" == JobState=COMPLETED ]] || fail "merge job $merge: ${mstate:-unknown state}"
[[ -f "$WORK/merged/report.json" ]] || fail "the merge wrote no report.json"
log "Slurm ran $SHARDS shards and the merge in ${t_slurm} s"

# ---- 6. The unsharded run, and the comparison ------------------------------------
t_whole=$SECONDS
"$BIN" analyze "$WORK/project.stadyn.toml" --out "$WORK/whole" --no-cache --quiet ||
  fail "the unsharded run failed"
log "unsharded run in $((SECONDS - t_whole)) s"
[[ "$(stat -c '%i %Y' "$WORK/probe/clips.npy")" == "$probe_stamp" ]] ||
  fail "the probe set was rewritten while the jobs ran"

cat >"$WORK/compare.py" <<'PY'
import json, math, sys

whole_dir, merged_dir, shards_dir, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
load = lambda d: json.load(open(f"{d}/report.json"))
whole, merged = load(whole_dir), load(merged_dir)
shards = [load(f"{shards_dir}/{i}") for i in range(n)]
errors, worst = [], 0.0
REL = 1e-12


def err(msg):
    if len(errors) < 20:
        print("  " + msg)
    errors.append(msg)


def short(x):
    r = repr(x)
    return r if len(r) <= 120 else r[:117] + "..."


def equal(what, a, b):
    if a != b:
        if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            i = next(i for i, (x, y) in enumerate(zip(a, b)) if x != y)
            what, a, b = f"{what}[{i}]", a[i], b[i]
        err(f"{what}: {short(a)} != {short(b)}")


def close(what, a, b, rel=True):
    """a and b to 1e-12 (relative, or absolute for values near 0 such as rho)."""
    global worst
    if a is None or b is None:
        return equal(what, a, b)
    if isinstance(a, list):
        if len(a) != len(b):
            return err(f"{what}: lengths {len(a)} != {len(b)}")
        for i, (x, y) in enumerate(zip(a, b)):
            close(f"{what}[{i}]", x, y, rel)
        return
    d = abs(a - b)
    scale = max(abs(a), abs(b)) if rel else 1.0
    if rel and scale > 0:
        worst = max(worst, d / scale)
    if not math.isfinite(d) or d > REL * scale:
        err(f"{what}: {a!r} vs {b!r}")


for r, name in [(whole, "unsharded"), (merged, "merged")]:
    equal(f"{name} report is partial", r["partial"], None)
equal("job_key", whole["job_key"], merged["job_key"])
equal("threshold", whole["settings"]["threshold"], merged["settings"]["threshold"])
equal("bootstrap", whole["settings"]["bootstrap"], merged["settings"]["bootstrap"])
equal("number of models", len(whole["models"]), len(merged["models"]))
layers = 0
for ma, mb in zip(whole["models"], merged["models"]):
    m = f"{ma['name']} {ma.get('checkpoint') or ''}".strip()
    for k in ["name", "checkpoint", "epoch", "pairs_done", "sha256"]:
        equal(f"{m}: {k}", ma[k], mb[k])
    equal(f"{m}: layers", [l["name"] for l in ma["layers"]], [l["name"] for l in mb["layers"]])
    for la, lb in zip(ma["layers"], mb["layers"]):
        layers += 1
        w = f"{m} {la['name']}"
        for k in ["channels", "dims", "pct", "pairs"]:
            equal(f"{w}: {k}", la[k], lb[k])
        for k in ["scores", "probs", "total_variance"]:
            close(f"{w}: {k}", la[k], lb[k])
        ca, cb = la["ci95"], lb["ci95"]
        if ca is None or cb is None:
            err(f"{w}: no bootstrap intervals ({ca!r}, {cb!r})")
        else:
            for k in ["level", "replicates", "valid", "pct"]:
                equal(f"{w}: ci95 {k}", ca[k], cb[k])
            for k in ["scores", "probs"]:
                close(f"{w}: ci95 {k}", ca[k], cb[k])
        ua, ub = la["units"], lb["units"]
        for k in ["category", "counts", "unassigned"]:
            equal(f"{w}: units {k}", ua[k], ub[k])
        for k in ["rho_dynamic", "rho_static"]:
            close(f"{w}: units {k}", ua[k], ub[k], rel=False)
        # The shards split the pairs: their counts add up to the whole's.
        for f in ["dynamic", "static"]:
            parts = []
            for s in shards:
                sm = next(x for x in s["models"]
                          if (x["name"], x["checkpoint"]) == (ma["name"], ma["checkpoint"]))
                sl = next(x for x in sm["layers"] if x["name"] == la["name"])
                parts.append(sl["pairs"][f])
            equal(f"{w}: {f} pairs of the shards {parts} summed", sum(parts), la["pairs"][f])
planned = whole["models"][0]["pairs_done"]
for i, s in enumerate(shards):
    p = s["partial"] or {}
    done = p.get("pairs_done")
    if p.get("pairs_planned") != planned or not done or abs(done - planned / n) > 1:
        err(f"shard {i}: measured {done} of {p.get('pairs_planned')} pairs, "
            f"expected about {planned / n:g} of {planned}")
if errors:
    print(f"  {len(errors)} difference(s)")
    sys.exit(1)
print(f"{len(whole['models'])} models, {layers} layers, {planned} pairs: dims, pct, pair counts, "
      f"unit categories and bootstrap percentages equal; scores within 1e-12 (largest relative "
      f"difference {worst:.1e})")
PY
"$STADYN_PYTHON" "$WORK/compare.py" "$WORK/whole" "$WORK/merged" "$WORK/shards" "$SHARDS" ||
  fail "the merged report differs from the unsharded run (above)"
PASSED=1
echo "slurm check: PASS ($SHARDS-shard Slurm array + afterok merge == unsharded run;" \
  "Slurm ${t_slurm} s, all $((SECONDS - T0)) s)"
