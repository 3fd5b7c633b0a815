#!/usr/bin/env python3
"""Reads an X window dump (xwd -root) on stdin, writes it as PNG to the path
given, and exits 1 when the picture is blank (one colour, or nearly): the
installed-app check's proof that a window really drew something.
Standard library only, so a fresh machine needs nothing more."""
import struct, sys, zlib

data = sys.stdin.buffer.read()
fields = struct.unpack(">25I", data[:100])
header_size, _, _, depth, width, height = fields[:6]
byte_order, bits_per_pixel, bytes_per_line = fields[7], fields[11], fields[12]
ncolors = fields[19]
if bits_per_pixel != 32:
    sys.exit(f"xwd-png: {bits_per_pixel}-bit dumps are not handled (Xvfb -screen 0 WxHx24 gives 32)")
pixels = data[header_size + 12 * ncolors:]
rows, colours = [], set()
for y in range(height):
    line = pixels[y * bytes_per_line: y * bytes_per_line + width * 4]
    row = bytearray(b"\0")
    for x in range(0, width * 4, 4):
        b, g, r = (line[x], line[x + 1], line[x + 2]) if byte_order == 0 else (line[x + 3], line[x + 2], line[x + 1])
        row += bytes((r, g, b))
        if y % 8 == 0 and x % 32 == 0:
            colours.add((r >> 4, g >> 4, b >> 4))
    rows.append(bytes(row))

def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(b"".join(rows), 6)) + chunk(b"IEND", b"")
with open(sys.argv[1], "wb") as f:
    f.write(png)
print(f"xwd-png: {width}x{height}, {len(colours)} colours sampled -> {sys.argv[1]}")
sys.exit(0 if len(colours) >= 4 else 1)
