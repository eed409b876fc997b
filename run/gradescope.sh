#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make gradescope: the autograder zip, build/gradescope/autograder.zip.
# Gradescope's image is Ubuntu, whose apt sources name no Debian archive:
# the zip carries the guest kernel (Debian 12's vmlinuz and its headers,
# from the cache) beside the project's files, setup.sh and run_autograder
# (grade/gradescope/). The rubric in it is grade/rubric, or RUBRIC, without
# the sections on the debug kernel, whose build tree the zip cannot carry.
set -euo pipefail
. "$(dirname "$0")/../kernels/resolve.sh"
cd "$COUNTER_TOP"

rubric=${RUBRIC:-grade/rubric}
zipdir=$COUNTER_BUILD/gradescope/zip
zip=$COUNTER_BUILD/gradescope/autograder.zip
GUEST_ARCH=amd64 resolve_kernel
rm -rf "$zipdir" "$zip"
mkdir -p "$zipdir"
git ls-files -z | xargs -0 cp --parents -t "$zipdir"
cp grade/gradescope/setup.sh grade/gradescope/run_autograder "$zipdir/"
echo "$KVER" >"$zipdir/KVER"
cached=$zipdir/cache/kernels/$KVER
mkdir -p "$cached/image/boot"
cp "$COUNTER_CACHE/kernels/$KVER"/{.fetched,build-in} "$cached/"
cp "$KIMAGE" "$cached/image/boot/"
# The headers and their kbuild tools; setup.sh points their Makefile,
# which names the cache it was fetched into, at where the zip is unpacked.
cp -a "$COUNTER_CACHE/kernels/$KVER/headers" "$cached/"
rm -rf "$cached/headers/usr/share" "$cached/headers/lib"
awk '/^section / { seen = 1; keep = $3 != "debug" } !seen || keep' "$rubric" \
	>"$zipdir/grade/rubric.gradescope"
grep -q '^section ' "$zipdir/grade/rubric.gradescope" ||
	{ echo "gradescope.sh: $rubric has no section on Debian's kernel" >&2; exit 1; }
(cd "$zipdir" && zip -q -r -y "$zip" .)
echo "# $zip: $(du -m "$zip" | cut -f 1) MB ($(du -sm "$zipdir" | cut -f 1) MB unpacked)," \
	"kernel $KVER, rubric $rubric without its debug sections"
