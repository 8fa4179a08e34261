"""Picks the configured Terraform Cloud client (``tfc.py`` holds the interface both implement).

A module of its own so the interface never imports its implementations: they import it.
"""

from __future__ import annotations

from reservations.cluster.tfc import TerraformCloud


def make_client(kind: str, *, url: str, organization: str, token: str, timeout: float) -> TerraformCloud:
    """The configured implementation; the heavy import happens only here."""
    if kind == "terrasnek":
        from reservations.cluster.tfc_terrasnek import TerrasnekCloud

        return TerrasnekCloud(url=url, organization=organization, token=token, timeout=timeout)
    if kind == "pytfe":
        from reservations.cluster.tfc_pytfe import PytfeCloud

        return PytfeCloud(url=url, organization=organization, token=token, timeout=timeout)
    raise ValueError(f"unknown Terraform Cloud client {kind!r}; use pytfe or terrasnek")
