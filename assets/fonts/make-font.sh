#!/usr/bin/env bash
# Cuts the bundled CJK font: Noto Sans CJK SC Regular (OFL 1.1) subset to
#   GB2312 (all 7,445 characters: 6,763 hanzi plus its symbols, full-width forms, kana, Greek, Cyrillic)
#   + printable ASCII and Latin-1 + general/CJK punctuation, full-width forms, arrows, shapes, circled numbers
#   + every character that occurs in scenarios/*.ron and src/**/*.rs (so UI strings and scenario text
#     outside GB2312, e.g. 䶮 or 's', are still covered).
# Re-run it whenever a scenario or UI string gains a character the font lacks:
# tests/window_smoke.rs (font_covers_all_bundled_text) names the missing ones.
#
# Needs: Debian package fonts-noto-cjk (or NOTO_CJK_TTC=/path/to/NotoSansCJK-Regular.ttc) and
#        fonttools (pip install fonttools).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
src="${NOTO_CJK_TTC:-/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc}"
out="$here/NotoSansSC-Counterpart.otf"

if [[ ! -f "$src" ]]; then
    echo "error: $src not found; install it with: apt-get install -y fonts-noto-cjk" >&2
    exit 1
fi
if ! command -v pyftsubset >/dev/null; then
    echo "error: pyftsubset not found; install it with: pip install fonttools" >&2
    exit 1
fi

# Face 2 of the collection is Noto Sans CJK SC (0 JP, 1 KR, 2 SC, 3 TC, 4 HK); check rather than trust.
python3 - "$src" <<'PY'
import sys
from fontTools.ttLib import TTFont
name = TTFont(sys.argv[1], fontNumber=2, lazy=True)["name"].getDebugName(1)
if name != "Noto Sans CJK SC":
    sys.exit(f"error: face 2 of {sys.argv[1]} is {name!r}, expected 'Noto Sans CJK SC'")
PY

chars="$(mktemp)"
trap 'rm -f "$chars"' EXIT
python3 - "$root" > "$chars" <<'PY'
import pathlib, sys
root = pathlib.Path(sys.argv[1])
cps = set()
# GB2312: rows 0xA1-0xF7, cells 0xA1-0xFE; undefined codes simply fail to decode.
for hi in range(0xA1, 0xF8):
    for lo in range(0xA1, 0xFF):
        try:
            cps.add(ord(bytes([hi, lo]).decode("gb2312")))
        except UnicodeDecodeError:
            pass
ranges = [
    (0x20, 0x7E),      # ASCII
    (0xA0, 0xFF),      # Latin-1 supplement (·, ×, °, é ...)
    (0x2000, 0x206F),  # general punctuation (“ ” ‘ ’ … — ‰)
    (0x2100, 0x214F),  # letterlike symbols (№, ℃)
    (0x2190, 0x21FF),  # arrows
    (0x2460, 0x24FF),  # circled numbers ①
    (0x25A0, 0x25FF),  # geometric shapes ● ○ ▲ ■
    (0x2600, 0x26FF),  # misc symbols ★ ☆ ☎
    (0x3000, 0x303F),  # CJK symbols and punctuation 、。《》「」【】
    (0xFF00, 0xFFEF),  # half-width and full-width forms ，：！？（）
]
for a, b in ranges:
    cps.update(range(a, b + 1))
files = sorted(root.glob("scenarios/*.ron")) + sorted(root.glob("src/**/*.rs"))
for f in files:
    for ch in f.read_text(encoding="utf-8"):
        if ord(ch) >= 0x20:
            cps.add(ord(ch))
print(",".join(f"U+{c:04X}" for c in sorted(cps)))
PY

# Hinting, vertical metrics and the layout features horizontal SC text never needs (vert, palt,
# locl's JP/KR/TC alternates, which alone would double the glyph count) are dropped to keep the
# file small; egui shapes with harfrust and rasterises the CFF outlines with skrifa.
pyftsubset "$src" \
    --font-number=2 \
    --unicodes-file="$chars" \
    --layout-features='kern,liga,ccmp,mark,mkmk' \
    --no-hinting \
    --drop-tables+=vhea,vmtx,VORG \
    --name-IDs='*' --name-languages='*' \
    --notdef-outline \
    --output-file="$out"

python3 - "$out" <<'PY'
import os, sys
from fontTools.ttLib import TTFont
f = TTFont(sys.argv[1])
print(f"{sys.argv[1]}: {os.path.getsize(sys.argv[1]) / 1e6:.2f} MB, "
      f"{len(f.getBestCmap())} characters, {len(f.getGlyphOrder())} glyphs")
PY
