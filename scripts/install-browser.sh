#!/usr/bin/env bash
# Headless Chromium for the browser tests: Debian's chromium and chromium-driver, never a
# browser download. Installs them when missing and running as root (CI, dev containers);
# otherwise says how.
set -euo pipefail
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "browser tests need Debian's chromium and chromium-driver:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y chromium chromium-driver" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
echo "installed $(chromium --version)"
