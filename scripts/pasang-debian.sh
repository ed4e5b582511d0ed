#!/bin/sh
# The Debian packages kinerja uses: LibreOffice (recalculation, PDF), poppler-utils (page images,
# PDF text) and the DejaVu fonts. Installs only what is missing; quiet when nothing is.
set -e
need=""
command -v soffice >/dev/null 2>&1 || need="$need libreoffice-calc libreoffice-writer"
command -v pdftoppm >/dev/null 2>&1 || need="$need poppler-utils"
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need="$need fonts-dejavu-core"
[ -n "$need" ] || exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Memasang paket Debian:$need"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $need >/dev/null
