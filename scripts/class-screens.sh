#!/usr/bin/env bash
# A centre's term of practice, sent to a real Ralph LRS and read back by the
# class overview in the real app (autoplay's class walk,
# COUNTERPART_AUTOPLAY_WALK=class) under Xvfb; the screenshots are for
# looking at.
#
#   scripts/class-screens.sh [out-dir]        # default target/class-screens
#   DOCS=1 scripts/class-screens.sh           # also refresh docs/screenshots/c1-class-overview.png
#   BIN=/tmp/counterpart scripts/class-screens.sh   # an already built dev binary
#
# The centre's PC: trainees play scenarios through `counterpart play
# --record` (each answer picked by a trainee who learns from their own
# debriefs: the better an option scored for them before, the likelier they
# pick it again), with EXAM=1 one also sits the first exam in the app
# (autoplay's exam walk); the attempts are spread over the last eight weeks (a term, not one
# afternoon) and sent with `counterpart export --lrs`. The trainer's PC has
# a records file of its own and only the LRS in common.
# Needs: Ralph (COUNTERPART_RALPH, default ~/.cache/counterpart-ralph/bin/ralph),
# python3, xvfb mesa-vulkan-drivers libvulkan1 libxkbcommon-x11-0 xauth;
# DOCS=1 also ImageMagick.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/counterpart-target}"
out="${1:-target/class-screens}"
ralph="${COUNTERPART_RALPH:-$HOME/.cache/counterpart-ralph/bin/ralph}"
if [[ -n "${BIN:-}" ]]; then
    bin="$BIN"
else
    cargo build --features dev --quiet
    bin="$CARGO_TARGET_DIR/debug/counterpart"
fi
rm -rf "$out"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
centre_db="$out/centre-pc.sqlite3"
trainer_db="$out/trainer-pc.sqlite3"

pids=()
cleanup() { for p in "${pids[@]}"; do kill -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
if [[ -z "${DISPLAY:-}" ]]; then
    n=$((500 + $$ % 300))
    Xvfb ":$n" -screen 0 1920x1080x24 -nolisten tcp >/dev/null 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do [[ -S /tmp/.X11-unix/X$n ]] && break; sleep 0.1; done
    export DISPLAY=":$n"
fi
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/counterpart-xdg-$(id -u)}"
mkdir -p -m 700 "$XDG_RUNTIME_DIR"

echo "recording a term of practice → $centre_db"
python3 - "$bin" "$centre_db" <<'PY'
import json, random, subprocess, sys
bin, db = sys.argv[1], sys.argv[2]
rng = random.Random(2026)
trainees = [("王芳", "A-0042"), ("李明", "A-0043"), ("张伟", "A-0051"), ("刘洋", "A-0058"), ("陈静", "A-0060"),
            ("杨帆", "A-0061"), ("赵磊", "A-0067"), ("黄丽", "A-0070"), ("周杰", "A-0072"), ("吴敏", "A-0075")]
scenarios = ["hotline-water-outage", "hotline-heating-outage", "hotline-night-construction", "hotline-shop-noise",
             "counter-social-security-card", "counter-business-licence"]

def run(args, stdin=None):
    return subprocess.run([bin, *args], input=stdin, capture_output=True, text=True)

def play(path, seed, memory, care):
    """One call answered turn by turn; returns the option ids chosen."""
    p = subprocess.Popen([bin, "play", path, "--interactive", "--json", "--seed", str(seed)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    chosen = []
    for line in p.stdout:
        try:
            msg = json.loads(line)
        except ValueError:
            break  # the ending, printed over several lines
        if "options" not in msg:
            continue
        opts = msg["options"]
        known = [(memory.get((path, msg["turn"], o["id"])), o) for o in opts]
        scored = [k for k in known if k[0] is not None]
        if scored and rng.random() < care:
            pick = max(scored, key=lambda k: k[0])[1]
        else:
            pick = rng.choice(opts)
        chosen.append((msg["turn"], pick["id"]))
        p.stdin.write(f"{pick['position']}\n")
        p.stdin.flush()
    p.wait()
    return chosen

for name, number in trainees:
    memory = {}
    talent = rng.uniform(0.35, 0.8)
    for k in range(rng.randint(6, 11)):
        scenario = rng.choice(scenarios)
        path = f"scenarios/{scenario}.ron"
        seed = rng.randint(1, 10**6)
        care = min(0.95, talent + 0.06 * k)
        chosen = play(path, seed, memory, care)
        ids = ",".join(c for _, c in chosen)
        r = run(["play", path, "--choices", ids, "--seed", str(seed), "--json", "--record", "--profile", name,
                 "--employee-id", number, "--db", db, "--disc-guess", rng.choice("disc")])
        if r.returncode != 0:
            sys.exit(f"play --record failed for {name} on {scenario}: {r.stderr}")
        played = json.loads(r.stdout)
        # What the debrief told them, remembered per option.
        for st, d in zip(played["steps"], played["debrief"]):
            memory[(path, st["turn_id"], st["choice_id"])] = d["quality"]
PY

if [[ -n "${EXAM:-}" ]]; then
    echo "one trainee sits the first exam in the app"
    COUNTERPART_AUTOPLAY="$out/exam-walk" COUNTERPART_AUTOPLAY_WALK=exams COUNTERPART_AUTOPLAY_TIMEOUT=300 \
        COUNTERPART_DB="$centre_db" COUNTERPART_EXPORT_DIR="$out/exports" "$bin" >/dev/null 2>"$out/exam-walk.log" \
        || { tail -20 "$out/exam-walk.log" >&2; exit 1; }
fi

echo "spreading the attempts over the last eight weeks"
python3 - "$centre_db" <<'PY'
import random, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rng = random.Random(7)
ids = [r[0] for r in db.execute("SELECT id FROM attempts ORDER BY id")]
for n, a in enumerate(ids):
    # Oldest first: attempt n of the term lands in its share of the 56 days.
    days = 56 - int(56 * n / max(1, len(ids))) - rng.randint(0, 3)
    shift = f"-{max(days, 0)} days"
    fmt = "strftime('%Y-%m-%dT%H:%M:%fZ', {}, ?)"
    db.execute(f"UPDATE attempts SET started_at = {fmt.format('started_at')}, finished_at = CASE WHEN finished_at IS NULL THEN NULL ELSE {fmt.format('finished_at')} END WHERE id = ?", (shift, shift, a))
    db.execute(f"UPDATE steps SET recorded_at = {fmt.format('recorded_at')} WHERE attempt_id = ?", (shift, a))
db.commit()
PY

echo "starting Ralph"
rdir="$out/ralph"
mkdir -p "$rdir/app" "$rdir/data"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
rcmd=(env PYTHONPATH="$PWD/tests/ralph" PYTHONDONTWRITEBYTECODE=1 RALPH_APP_DIR="$rdir/app" RALPH_RUNSERVER_BACKEND=fs
    RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH="$rdir/data" "$ralph")
(cd "$rdir" && "${rcmd[@]}" auth -u counterpart -p s3cret-lrs -s all -M mailto:lrs-client@example.org -w >/dev/null)
(cd "$rdir" && exec setsid "${rcmd[@]}" runserver -b fs -h 127.0.0.1 -p "$port" --fs-default-directory-path "$rdir/data" >"$rdir/log" 2>&1) &
pids+=($!)
for _ in $(seq 240); do curl -sf "http://127.0.0.1:$port/__heartbeat__" >/dev/null && break; sleep 0.5; done
export COUNTERPART_LRS="http://127.0.0.1:$port" COUNTERPART_LRS_USER=counterpart COUNTERPART_LRS_PASSWORD=s3cret-lrs
"$bin" --scenarios scenarios export --lrs "$COUNTERPART_LRS" --user counterpart --db "$centre_db"

echo "the trainer's PC reads the class back"
COUNTERPART_AUTOPLAY="$out/class-walk" COUNTERPART_AUTOPLAY_WALK=class COUNTERPART_AUTOPLAY_TIMEOUT=180 \
    COUNTERPART_DB="$trainer_db" COUNTERPART_EXPORT_DIR="$out/exports" "$bin" >/dev/null 2>"$out/class-walk.log" \
    || { tail -20 "$out/class-walk.log" >&2; exit 1; }
ls "$out/class-walk"/*.png

if [[ -n "${DOCS:-}" ]]; then
    for shot in c1-class-overview; do
        "${CONVERT:-convert}" "$out/class-walk/$shot.png" -colors 64 "PNG8:docs/screenshots/$shot.png"
    done
fi
