#!/bin/sh
# Puts a Ghostscript that writes PDF/X-4 (10.05 or later: pdfwrite's PDF/X-4 output is
# new in 10.05) at PREFIX/bin/gs, for the tests' second opinion on the print file.
# The machine's own gs when it is new enough (Debian 13's), else only the gs binary
# built from Debian 13's source package, fetched from the mirror apt already uses and
# checked against the hash in that package's Sources entry. Built without X11, CUPS,
# GTK or OCR, with the two devices the tests use; its resources are compiled in.
#   usage: tools/ghostscript.sh PREFIX
set -eu
prefix=$1
version=10.05.1
tarball="ghostscript_${version}~dfsg.orig.tar.xz"
sha256=ca4ff3a4c2b536baedd3029cb9b7bdd3bd9b27a03b53956efda062140843add1

mkdir -p "$prefix/bin"
prefix=$(cd "$prefix" && pwd)
have=$(gs --version 2>/dev/null || echo 0)
if [ "$(printf '%s\n10.05\n' "$have" | sort -V | head -n1)" = 10.05 ]; then
    ln -sf "$(command -v gs)" "$prefix/bin/gs"
    exit 0
fi

# The Debian archive apt is set up with (deb822 or one-line sources): its address ends
# in /debian (debian-security holds no source pool of this package).
mirror=$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | grep -v "^ *#" |
    tr ' \t' '\n\n' | grep -E '^(https?|file)://.*/debian/?$' | head -n1)
[ -n "$mirror" ] || { echo "no Debian archive in apt's sources" >&2; exit 1; }
mirror=${mirror%/}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
curl -fsS -o "$work/$tarball" "$mirror/pool/main/g/ghostscript/$tarball"
echo "$sha256  $work/$tarball" | sha256sum -c --quiet -
tar -xJf "$work/$tarball" -C "$work"
cd "$work/ghostpdl-$version"
./configure --quiet --prefix="$prefix" --without-x --disable-cups --disable-gtk \
    --disable-dbus --disable-fontconfig --disable-contrib --without-tesseract \
    --without-libpaper --without-libidn --without-ijs --without-urf --without-so \
    --without-cal --without-pdftoraster --with-system-libtiff \
    --with-drivers=pdfwrite,tiffsep >/dev/null
make -s -j"$(nproc)" gs >/dev/null 2>&1 || make -j1 gs
install -m 755 bin/gs "$prefix/bin/gs"
"$prefix/bin/gs" --version
