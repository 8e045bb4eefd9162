"""scripts/apt-install.sh: waits for another apt or dpkg holding the lock instead of failing at once."""

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_apt_waits_for_the_lock_and_never_asks(tmp_path):
    # apt-get and dpkg-query are replaced by recorders on PATH: the script's contract with apt is what it
    # passes, and a real install would change this machine.
    calls = tmp_path / "calls"
    (tmp_path / "apt-get").write_text(f'#!/bin/sh\necho "DEBIAN_FRONTEND=$DEBIAN_FRONTEND $*" >> {calls}\n')
    (tmp_path / "dpkg-query").write_text("#!/bin/sh\nexit 1\n")     # nothing is installed
    (tmp_path / "id").write_text("#!/bin/sh\necho 0\n")             # root: no sudo
    for tool in ("apt-get", "dpkg-query", "id"):
        (tmp_path / tool).chmod(0o755)
    env = dict(os.environ, PATH=f"{tmp_path}:{os.environ['PATH']}")
    subprocess.run([str(REPO / "scripts" / "apt-install.sh"), "flite"], env=env, check=True,
                   capture_output=True, text=True)
    update, install = calls.read_text().splitlines()
    assert "-o DPkg::Lock::Timeout=120 update" in update
    assert install.startswith("DEBIAN_FRONTEND=noninteractive ")
    assert "-o DPkg::Lock::Timeout=120 install -y" in install and install.endswith(" flite")
