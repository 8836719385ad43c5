#!/usr/bin/env bash
# Installs Debian's neovim (0.7.2 on Debian 12) for test/clients/neovim.test.ts, which drives
# FeatureGuard's language server from Neovim's built-in LSP client. Idempotent: does nothing when
# `nvim` is already on PATH; refreshes the package lists only when it has to install.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

if command -v nvim >/dev/null 2>&1; then
  nvim --version | head -n 1
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-neovim.sh: run as root (or install sudo)" >&2; exit 1; }
  sudo=(sudo)
fi

"${sudo[@]}" apt-get update
"${sudo[@]}" apt-get install -y --no-install-recommends neovim
nvim --version | head -n 1
