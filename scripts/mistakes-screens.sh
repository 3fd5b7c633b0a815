#!/usr/bin/env bash
# A trainee's mistake book in the real app (autoplay's mistakes walk,
# COUNTERPART_AUTOPLAY_WALK=mistakes) under Xvfb: a week of practice by one
# trainee recorded with `counterpart play --record` (answers picked at
# random, so some turns go wrong), then History, the book by skill and by
# stage, one mistake practised from its situation and its debrief. The
# screenshots are for looking at; the PC's clock is Beijing time.
#
#   scripts/mistakes-screens.sh [out-dir]     # default target/mistakes-screens
#   DOCS=1 scripts/mistakes-screens.sh        # also refresh docs/screenshots/m*.png
#   BIN=/tmp/counterpart scripts/mistakes-screens.sh   # an already built dev binary
#
# Needs: python3, xvfb mesa-vulkan-drivers libvulkan1 libxkbcommon-x11-0
# xauth; DOCS=1 also ImageMagick.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/counterpart-target}"
out="${1:-target/mistakes-screens}"
if [[ -n "${BIN:-}" ]]; then
    bin="$BIN"
else
    cargo build --features dev --quiet
    bin="$CARGO_TARGET_DIR/debug/counterpart"
fi
rm -rf "$out"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
db="$out/records.sqlite3"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
if [[ -z "${DISPLAY:-}" ]]; then
    n=$((500 + $$ % 300))
    Xvfb ":$n" -screen 0 "${SCREEN:-1280x720}x24" -nolisten tcp >/dev/null 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do [[ -S /tmp/.X11-unix/X$n ]] && break; sleep 0.1; done
    export DISPLAY=":$n"
fi
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/counterpart-xdg-$(id -u)}"
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
export TZ="${TZ:-Asia/Shanghai}"

echo "recording a week of practice → $db"
python3 - "$bin" "$db" <<'PY'
import json, random, sqlite3, subprocess, sys
bin, db = sys.argv[1], sys.argv[2]
rng = random.Random(12345)
plan = ["hotline-water-outage", "counter-social-security-card", "hotline-water-outage", "hotline-heating-outage"]

def play(path, seed):
    p = subprocess.Popen([bin, "play", path, "--interactive", "--json", "--seed", str(seed)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    chosen = []
    for line in p.stdout:
        try:
            msg = json.loads(line)
        except ValueError:
            break
        if "options" not in msg:
            continue
        pick = rng.choice(msg["options"])
        chosen.append(pick["id"])
        p.stdin.write(f"{pick['position']}\n")
        p.stdin.flush()
    p.wait()
    return chosen

for scenario in plan:
    path = f"scenarios/{scenario}.ron"
    seed = rng.randint(1, 10**6)
    ids = ",".join(play(path, seed))
    r = subprocess.run([bin, "play", path, "--choices", ids, "--seed", str(seed), "--json", "--record",
                        "--profile", "王芳", "--employee-id", "A-0042", "--db", db], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"play --record failed on {scenario}: {r.stderr}")

# Spread over the past week, at office hours in Beijing (UTC+8).
con = sqlite3.connect(db)
ids = [r[0] for r in con.execute("SELECT id FROM attempts ORDER BY id")]
for n, a in enumerate(ids):
    shift = f"-{7 - 2 * n} days"
    fmt = "strftime('%Y-%m-%dT01:%M:%fZ', {}, ?)"
    con.execute(f"UPDATE attempts SET started_at = {fmt.format('started_at')}, finished_at = CASE WHEN finished_at IS NULL THEN NULL ELSE {fmt.format('finished_at')} END WHERE id = ?", (shift, shift, a))
    con.execute(f"UPDATE steps SET recorded_at = {fmt.format('recorded_at')} WHERE attempt_id = ?", (shift, a))
con.commit()
PY

echo "the trainee opens the mistake book"
COUNTERPART_AUTOPLAY="$out/walk" COUNTERPART_AUTOPLAY_WALK=mistakes COUNTERPART_AUTOPLAY_TIMEOUT=300 \
    COUNTERPART_DB="$db" COUNTERPART_EXPORT_DIR="$out/exports" "$bin" --scenarios scenarios >/dev/null 2>"$out/walk.log" \
    || { tail -20 "$out/walk.log" >&2; exit 1; }
ls "$out/walk"/*.png

if [[ -n "${DOCS:-}" ]]; then
    for shot in m1-mistakes-by-item m3-practise-from-here m4-targeted-debrief; do
        "${CONVERT:-convert}" "$out/walk/$shot.png" -colors 64 "PNG8:docs/screenshots/$shot.png"
    done
fi
