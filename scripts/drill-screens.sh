#!/usr/bin/env bash
# Walks every group-drill screen in the real app (autoplay's drill walk,
# COUNTERPART_AUTOPLAY_WALK=drills, src/app/autoplay.rs) under Xvfb at each
# projector size and text size, and saves the screenshots for looking at.
#
#   scripts/drill-screens.sh [out-dir]          # default target/drill-screens
#   SIZES="1280x720" TEXT="2.0" scripts/drill-screens.sh
#   DOCS=1 scripts/drill-screens.sh             # also refresh docs/screenshots/drill-*.png
#
# Each run goes to <out-dir>/<size>-<text>/ (dNN-<screen>.png, labels.json,
# stderr.log); a run that fails stops the script with its log.
# Needs: xvfb mesa-vulkan-drivers libvulkan1 libxkbcommon-x11-0 xauth;
# DOCS=1 also needs ImageMagick (the PNGs are cut to 64 colours to stay small;
# CONVERT=/usr/bin/convert names its convert if another one comes first on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/counterpart-target}"
SIZES="${SIZES:-1280x720 1920x1080}"
TEXT="${TEXT:-1.0 1.5 2.0}"
out="${1:-target/drill-screens}"
if [[ -n "${BIN:-}" ]]; then
    bin="$BIN" # an already built dev binary (skips cargo)
else
    cargo build --features dev --quiet
    bin="$CARGO_TARGET_DIR/debug/counterpart"
fi

xvfb_pid=""
cleanup() { [[ -n "$xvfb_pid" ]] && kill "$xvfb_pid" 2>/dev/null || true; }
trap cleanup EXIT
if [[ -z "${DISPLAY:-}" ]]; then
    command -v Xvfb >/dev/null || { echo "Xvfb missing: apt-get install -y xvfb mesa-vulkan-drivers libvulkan1 libxkbcommon-x11-0 xauth" >&2; exit 1; }
    n=$((500 + $$ % 300))
    Xvfb ":$n" -screen 0 1920x1080x24 -nolisten tcp >/dev/null 2>&1 &
    xvfb_pid=$!
    for _ in $(seq 100); do [[ -S /tmp/.X11-unix/X$n ]] && break; sleep 0.1; done
    export DISPLAY=":$n"
fi
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/counterpart-xdg-$(id -u)}"
mkdir -p -m 700 "$XDG_RUNTIME_DIR"

for size in $SIZES; do
    for text in $TEXT; do
        dir="$out/$size-$text"
        rm -rf "$dir"
        mkdir -p "$dir"
        echo "drill screens at $size, text $text → $dir"
        if ! COUNTERPART_AUTOPLAY="$dir" COUNTERPART_AUTOPLAY_WALK=drills COUNTERPART_AUTOPLAY_TEXT="$text" \
            COUNTERPART_AUTOPLAY_WINDOW="$size" COUNTERPART_AUTOPLAY_TIMEOUT=240 \
            COUNTERPART_DB="$dir/records.sqlite3" COUNTERPART_EXPORT_DIR="$dir/exports" \
            "$bin" >/dev/null 2>"$dir/stderr.log"; then
            echo "the walk failed at $size, text $text:" >&2
            tail -20 "$dir/stderr.log" >&2
            exit 1
        fi
    done
done

if [[ -n "${DOCS:-}" ]]; then
    # The main screens at both sizes, 150 % text at 720p (a projector's
    # usual setting) and 100 % at 1080p.
    for pick in 1280x720-1.5 1920x1080-1.0; do
        for shot in d01-setup d03-hot-seat d05-disc-guess d06-debrief d08-scoreboard d10-report d11-class-vote d12-class-vote-tie d13-class-vote-debrief d14-class-vote-order d15-role-play d17-observer-sheet d18-role-play-agreement; do
            src="$out/$pick/$shot.png"
            [[ -f "$src" ]] || { echo "missing $src" >&2; exit 1; }
            "${CONVERT:-convert}" "$src" -colors 64 "PNG8:docs/screenshots/drill-${shot#d??-}-${pick%-*}.png"
        done
    done
fi
