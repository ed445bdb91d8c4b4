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
