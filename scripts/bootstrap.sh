# Sourced by ./shop: make this machine able to run the shop (and, for tests, a browser).
# Installs missing Debian/Ubuntu packages (as root, or with password-less sudo), creates
# .venv and installs requirements.txt when it changed. Prints one clear line on failure.

die() { echo "error: $*" >&2; exit 1; }

_os_id() { . /etc/os-release 2>/dev/null && echo "${ID:-unknown}"; }

_install_system_packages() {
  command -v apt-get >/dev/null || die "missing system packages: $*; this script installs them only with apt-get (Debian/Ubuntu). Install them by hand."
  local runner=()
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
      runner=(sudo)
    else
      die "missing system packages: $*. Install them with: sudo apt-get update && sudo apt-get install -y $*  (then run this command again)"
    fi
  fi
  echo "==> Installing system packages: $*"
  "${runner[@]}" apt-get update -qq || die "apt-get update failed (no network or apt sources?)"
  DEBIAN_FRONTEND=noninteractive "${runner[@]}" apt-get install -y -qq "$@" >/dev/null \
    || die "apt-get install $* failed; try it by hand to see why"
}

_have_postgres_server() {
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null
}

_have_browser() { [ -x /usr/bin/chromium ] || [ -x /usr/bin/chromium-browser ]; }

bootstrap() {
  # Flags: --with-browser (tests), --with-nginx (the cluster and its drills).
  local with_browser="" with_nginx=""
  for flag in "$@"; do
    case "$flag" in
      --with-browser) with_browser="$flag" ;;
      --with-nginx) with_nginx="$flag" ;;
    esac
  done
  command -v python3 >/dev/null || _install_system_packages python3 python3-venv
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || die "Python 3.11 or newer is needed (found $(python3 --version 2>&1)); install a newer python3"

  local missing=()
  python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
  _have_postgres_server || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  # The font invoices and credit notes are written in (any script, the euro sign).
  [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
  if [ "$with_browser" = "--with-browser" ] && ! _have_browser && [ "$(_os_id)" != ubuntu ]; then
    missing+=(chromium)
  fi
  if [ -n "$with_nginx" ] && ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
    missing+=(nginx)
  fi
  # promtool (Debian's prometheus package) validates the alert rules in deploy/.
  if [ "$with_browser" = "--with-browser" ] && ! command -v promtool >/dev/null; then
    missing+=(prometheus)
  fi
  [ ${#missing[@]} -eq 0 ] || _install_system_packages "${missing[@]}"

  if [ ! -x .venv/bin/python ]; then
    echo "==> Creating the virtualenv in .venv"
    python3 -m venv .venv || die "could not create .venv (is python3-venv installed?)"
  fi
  local stamp=.venv/.requirements.sha256
  local wanted
  wanted=$(sha256sum requirements.txt | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    echo "==> Installing Python packages from requirements.txt (first time: a few minutes)"
    .venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
    # (pip's warnings about unreachable local index folders are noise on some machines)
    .venv/bin/python -m pip install -q -r requirements.txt 2> >(grep -v '^WARNING: Location' >&2) \
      || die "pip install -r requirements.txt failed (see above)"
    echo "$wanted" > "$stamp"
  fi

  # Ubuntu's chromium package is a snap stub that does not run here: use Playwright's build.
  if [ "$with_browser" = "--with-browser" ] && ! _have_browser && [ ! -f .venv/.playwright-chromium ]; then
    echo "==> Installing Chromium for the browser tests (Playwright build)"
    .venv/bin/python -m playwright install --with-deps chromium || die "could not install Chromium for Playwright"
    touch .venv/.playwright-chromium
  fi
}
