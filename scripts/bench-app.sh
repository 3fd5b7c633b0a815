#!/usr/bin/env bash
# App benchmarks for BENCHMARKS.md: release build, a real window under Xvfb,
# Mesa lavapipe (CPU Vulkan). Uses the app's autoplay mode (src/app/autoplay.rs)
# to reach a screen and then leave the app idle there (COUNTERPART_AUTOPLAY_HOLD).
#
#   scripts/bench-app.sh            # 5 launches, 10 s idle sample, RSS in an encounter
#   RUNS=3 IDLE_SECS=10 SCENARIO=hotline-water-outage scripts/bench-app.sh
#
# Measures
# - launch → first visible frame: shell timestamp just before exec, to the moment
#   the first non-blank screenshot of the Start screen came back to the app
#   (so it includes GPU readback: an upper bound). Median of RUNS launches.
# - idle CPU on the library screen: utime+stime from /proc/PID/stat over IDLE_SECS,
#   as % of one core, after 2 s of settling.
# - resident memory during an encounter: VmRSS and VmHWM from /proc/PID/status.
# Needs: xvfb mesa-vulkan-drivers libvulkan1 libxkbcommon-x11-0 xauth.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/counterpart-target}"
RUNS="${RUNS:-5}"
IDLE_SECS="${IDLE_SECS:-10}"
SCENARIO="${SCENARIO:-}"

# PROFILE=debug measures the dev build instead (only when a release build is out of reach).
PROFILE="${PROFILE:-release}"
if [[ -n "${BIN:-}" ]]; then
    bin="$BIN" # an already built binary (skips cargo)
elif [[ "$PROFILE" == release ]]; then
    # The dist profile (fat LTO, abort on panic) is what classroom PCs get.
    cargo build --profile dist --features dev --quiet
    bin="$CARGO_TARGET_DIR/dist/counterpart"
else
    cargo build --features dev --quiet
    bin="$CARGO_TARGET_DIR/debug/counterpart"
fi

xvfb_pid=""
cleanup() {
    [[ -n "${app_pid:-}" ]] && kill "$app_pid" 2>/dev/null || true
    [[ -n "$xvfb_pid" ]] && kill "$xvfb_pid" 2>/dev/null || true
}
trap cleanup EXIT
if [[ -z "${DISPLAY:-}" ]]; then
    command -v Xvfb >/dev/null || { echo "Xvfb missing: apt-get install -y xvfb mesa-vulkan-drivers libvulkan1 libxkbcommon-x11-0 xauth" >&2; exit 1; }
    n=$((200 + $$ % 300))
    Xvfb ":$n" -screen 0 1920x1080x24 -nolisten tcp >/dev/null 2>&1 &
    xvfb_pid=$!
    for _ in $(seq 100); do [[ -S /tmp/.X11-unix/X$n ]] && break; sleep 0.1; done
    export DISPLAY=":$n"
fi
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/counterpart-xdg-$(id -u)}"
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
out="$(mktemp -d)"
clk="$(getconf CLK_TCK)"

# Starts the app, holding on screen $1; sets app_pid and launch_ts; waits for the hold.
launch() {
    local hold="$1" dir="$out/$2"
    mkdir -p "$dir"
    launch_ts="$(date +%s.%N)"
    COUNTERPART_AUTOPLAY="$dir" COUNTERPART_DB="$dir/records.sqlite3" COUNTERPART_AUTOPLAY_HOLD="$hold" \
        COUNTERPART_AUTOPLAY_SCENARIO="$SCENARIO" RUST_LOG=warn "$bin" 2>"$dir/stderr.log" &
    app_pid=$!
    for _ in $(seq 600); do
        [[ -f "$dir/holding" ]] && return 0
        kill -0 "$app_pid" 2>/dev/null || { echo "app exited early:" >&2; tail -20 "$dir/stderr.log" >&2; exit 1; }
        sleep 0.1
    done
    echo "app did not reach $hold within 60 s" >&2
    exit 1
}
stop() { kill "$app_pid" 2>/dev/null || true; wait "$app_pid" 2>/dev/null || true; app_pid=""; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

echo "binary: $bin ($(du -h "$bin" | cut -f1))"
echo "vulkan: $(grep -m1 -o 'AdapterInfo { name: "[^"]*"' "$out"/*/stderr.log 2>/dev/null || true)"

launches=()
for i in $(seq "$RUNS"); do
    launch library "launch-$i"
    first="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["timings"]["first_visible_unix"])' "$out/launch-$i/labels.json")"
    launches+=("$(python3 -c "print(f'{$first - $launch_ts:.3f}')")")
    if [[ "$i" == 1 ]]; then
        sleep 2
        t0="$(cpu_ticks "$app_pid")"
        sleep "$IDLE_SECS"
        t1="$(cpu_ticks "$app_pid")"
        idle="$(python3 -c "print(f'{($t1 - $t0) / $clk / $IDLE_SECS * 100:.2f}')")"
        rss_lib="$(awk '/VmRSS/ {print $2/1024}' "/proc/$app_pid/status")"
    fi
    stop
done
median="$(printf '%s\n' "${launches[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"

launch encounter encounter
sleep 2
rss="$(awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$app_pid/status")"
hwm="$(awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$app_pid/status")"
t0="$(cpu_ticks "$app_pid")"; sleep "$IDLE_SECS"; t1="$(cpu_ticks "$app_pid")"
enc_cpu="$(python3 -c "print(f'{($t1 - $t0) / $clk / $IDLE_SECS * 100:.2f}')")"
scenario="$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["shots"][-1]["labels"][0]["text"] if d["shots"] and d["shots"][-1]["labels"] else "?")' "$out/encounter/labels.json")"
stop

echo "launch -> first visible frame (s), $RUNS runs: ${launches[*]}; median $median"
echo "idle CPU on the library screen over ${IDLE_SECS} s: ${idle}% of one core (RSS there: ${rss_lib} MB)"
echo "encounter ($scenario): VmRSS ${rss} MB, VmHWM ${hwm} MB, CPU ${enc_cpu}% of one core over ${IDLE_SECS} s"
echo "outputs: $out"
