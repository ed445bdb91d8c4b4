"""deploy/systemd's units start what README's production recipe starts, from the release
folder and environment file the README names."""

import configparser
import shlex

import pytest

from tests.gunicorn_server import ROOT

UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))


def unit(path):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd's keys are case-sensitive
    parser.read(path)
    return parser


def test_there_is_a_web_and_a_worker_unit():
    assert {path.name for path in UNITS} == {"autoreply-web.service", "autoreply-worker.service"}


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_a_unit_runs_a_recipe_command_from_the_release(path):
    service = unit(path)["Service"]
    command = shlex.split(service["ExecStart"])
    readme = (ROOT / "README.md").read_text()
    relative = [part.removeprefix("/srv/autoreply/") for part in command]
    assert " ".join(relative) in readme  # the same command as the recipe's
    assert service["WorkingDirectory"] == "/srv/autoreply"
    assert service["EnvironmentFile"] == "/etc/autoreply/env"
    assert "/etc/autoreply/env" in readme
    for part in relative:
        if "/" in part and not part.startswith(".venv"):
            assert (ROOT / part).exists(), part  # config/gunicorn.py and the like
    assert service["Restart"] == "always"
    assert unit(path)["Install"]["WantedBy"] == "multi-user.target"
