#!/usr/bin/env bash
# Installs what the real-VS-Code tests (test/vscode/) need, outside package.json:
#   - Debian: chromium (driven by playwright-core), libkrb5-dev (code-server's kerberos module
#     builds from source), ripgrep (code-server's search; its npm package would download rg);
#   - code-server 4.100.3 (VS Code 1.100.3; later versions need node 24) into
#     .vscode-test/code-server, which git ignores.
# Idempotent: a second run with everything in place does nothing. Runs as root (CI, sessions).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

CODE_SERVER_VERSION=4.100.3
PREFIX="$PWD/.vscode-test/code-server"
ENTRY="$PREFIX/node_modules/code-server/out/node/entry.js"

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -f /usr/include/gssapi/gssapi.h ] || need_apt+=(libkrb5-dev)
command -v rg >/dev/null || need_apt+=(ripgrep)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "install-vscode-test: apt-get install ${need_apt[*]}"
  apt-get update
  apt-get install -y --no-install-recommends "${need_apt[@]}"
fi

installed_version() {
  node -p "require('$PREFIX/node_modules/code-server/package.json').version" 2>/dev/null || true
}

if [ -f "$ENTRY" ] && [ "$(installed_version)" = "$CODE_SERVER_VERSION" ] \
   && [ -x "$PREFIX/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ]; then
  echo "install-vscode-test: code-server $CODE_SERVER_VERSION already in $PREFIX"
  exit 0
fi

# @vscode/ripgrep's postinstall downloads rg from the internet unless its cache in
# $TMPDIR/vscode-ripgrep-cache-<version>/ already holds the tarball: seed it with Debian's rg.
work_tmp="$(mktemp -d)"
trap 'rm -rf "$work_tmp"' EXIT
export TMPDIR="$work_tmp"
cache="$TMPDIR/vscode-ripgrep-cache-1.15.11"
mkdir -p "$cache" "$work_tmp/rg"
cp "$(command -v rg)" "$work_tmp/rg/rg"
tar -czf "$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$work_tmp/rg" rg

# As root, code-server's postinstall needs unsafe-perm, and this machine's npm config says
# yes=false, which makes the postinstall's `npx node-gyp` fail.
export npm_config_unsafe_perm=true
export npm_config_yes=true
export npm_config_fund=false
export npm_config_audit=false
mkdir -p "$PREFIX"
[ -f "$PREFIX/package.json" ] || echo '{ "name": "featureguard-vscode-test", "private": true }' > "$PREFIX/package.json"
echo "install-vscode-test: npm install code-server@$CODE_SERVER_VERSION into $PREFIX"
npm install --prefix "$PREFIX" --no-save --no-package-lock "code-server@$CODE_SERVER_VERSION"

[ -f "$ENTRY" ] || { echo "install-vscode-test: $ENTRY missing after install" >&2; exit 1; }
rg_bin="$PREFIX/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"
[ -x "$rg_bin" ] || { echo "install-vscode-test: $rg_bin missing (ripgrep cache seeding failed)" >&2; exit 1; }
echo "install-vscode-test: code-server $(installed_version) ready"
