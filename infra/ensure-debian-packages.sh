#!/usr/bin/env bash
# Make sure the Debian packages that the product and its tests load at run time are installed.
# pyzbar is a ctypes wrapper: it needs Debian's libzbar0 (the ZBar shared library), which pip
# cannot install. The end-to-end tests (tests/e2e) drive Debian's `chromium` through Playwright:
# `playwright install` would download its own browser, which this machine cannot reach, so we
# never run it and point Playwright at /usr/bin/chromium instead (TESTING-RECIPES §1).
# Idempotent: does nothing when every package is already installed; otherwise runs
# `apt-get update` and installs only the missing ones (with sudo when not root).
set -euo pipefail

PACKAGES=(libzbar0 chromium)

missing=()
for pkg in "${PACKAGES[@]}"; do
  # A chromium found at the path the tests use is good enough, however it got there.
  if [ "$pkg" = chromium ] && [ -x /usr/bin/chromium ]; then continue; fi
  if ! dpkg -s "$pkg" >/dev/null 2>&1; then missing+=("$pkg"); fi
done
if [ "${#missing[@]}" -eq 0 ]; then exit 0; fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "missing Debian packages: ${missing[*]} — run as root: apt-get install ${missing[*]}" >&2
  exit 1
fi

echo "installing Debian packages: ${missing[*]} (chromium takes about 35 s) …"
export DEBIAN_FRONTEND=noninteractive
if ! ${as_root[@]+"${as_root[@]}"} apt-get update -qq \
  || ! ${as_root[@]+"${as_root[@]}"} apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
  echo "could not install ${missing[*]} with apt-get; install them by hand (pyzbar needs libzbar0, tests/e2e need chromium)" >&2
  exit 1
fi
