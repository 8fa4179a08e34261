"""Every root module's provider versions are locked and committed.

With ``.terraform.lock.hcl`` git-ignored, each ``terraform init`` picked the newest provider in
``>= 5.80, < 7``: two runs (an operator's apply, the scheduler's morning rebuild) could run different
providers.  The lock of each root is in git and pins one version inside the root's constraint.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from .hcl import ROOT

ROOTS = ["terraform/cell", "terraform/control", "terraform/examples/complete", "terraform/edge"]
PROVIDER = re.compile(r'provider "registry\.terraform\.io/hashicorp/aws" \{(.*?)\n\}', re.S)


def git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)


@pytest.mark.parametrize("root", ROOTS)
def test_the_lock_file_is_committed_and_pins_one_aws_provider(root: str) -> None:
    lock = f"{root}/.terraform.lock.hcl"
    assert git("check-ignore", "-q", lock).returncode == 1, f"{lock} is git-ignored"
    assert git("ls-files", "--error-unmatch", lock).returncode == 0, f"{lock} is not in git"
    body = PROVIDER.search((ROOT / lock).read_text(encoding="utf-8"))
    assert body, f"{lock} does not lock hashicorp/aws"
    version = re.search(r'version\s+=\s+"(\d+)\.(\d+)\.(\d+)"', body.group(1))
    assert version, f"{lock}: no version"
    major, minor = int(version.group(1)), int(version.group(2))
    assert (5, 80) <= (major, minor) < (7, 0), f"{lock}: {version.group(0)} is outside >= 5.80, < 7"
    assert re.search(r'"h1:[A-Za-z0-9+/=]{44}"', body.group(1)), f"{lock}: no package hash"
