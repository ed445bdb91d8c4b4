# Shared by bin/serve and bin/test: run from the checkout's top folder.

# Create .venv (Python 3.11+) and install the given requirements file once per change to it.
ensure_venv() {
    local requirements=$1 python stamp
    python=$(command -v python3.11 || command -v python3)
    if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        echo "autoreply needs Python 3.11 or newer; found $("$python" --version)." >&2
        exit 1
    fi
    [ -x .venv/bin/python ] || "$python" -m venv .venv
    stamp=".venv/.installed-$(cat requirements*.txt | sha1sum | cut -c1-12)-${requirements%.txt}"
    if [ ! -f "$stamp" ]; then
        echo "Installing $requirements into .venv ..."
        .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
        touch "$stamp"
    fi
}

# Install Debian packages whose command is missing, as root with apt-get; each argument is
# COMMAND:PACKAGE. Tests that need one say why they skip when it could not be installed.
ensure_debian_packages() {
    local wanted=() pair
    for pair in "$@"; do
        command -v "${pair%%:*}" >/dev/null || [ -x "/usr/sbin/${pair%%:*}" ] || wanted+=("${pair#*:}")
    done
    [ ${#wanted[@]} -gt 0 ] || return 0
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
        echo "Missing ${wanted[*]}: install them (apt-get install ${wanted[*]}) for every test to run." >&2
        return 0
    fi
    echo "Installing ${wanted[*]} for the tests ..."
    apt-get install -y -qq "${wanted[@]}" >/dev/null 2>&1 \
        || { apt-get update -qq && apt-get install -y -qq "${wanted[@]}" >/dev/null; } \
        || echo "Could not install ${wanted[*]}; the tests that need them will say why they skip." >&2
}
