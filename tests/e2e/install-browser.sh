#!/usr/bin/env bash
# Installs what the browser tests need from Debian's own packages: the chromium browser and a CJK
# font (without one every Chinese glyph renders as an empty box).  Never downloads a browser build.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg-query -W -f='${Status}' fonts-wqy-microhei 2>/dev/null | grep -q "install ok installed" \
    || missing+=(fonts-wqy-microhei)

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists only when apt cannot find a candidate for what is missing.
for pkg in "${missing[@]}"; do
    if ! apt-cache policy "$pkg" 2>/dev/null | grep -q "Candidate: [0-9]"; then
        $SUDO apt-get update -qq
        break
    fi
done
echo "installing ${missing[*]} with apt-get"
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
