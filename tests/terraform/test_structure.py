"""Layout, variables, outputs and module calls of the Terraform configuration, from the parsed files."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from .hcl import META_ARGUMENTS, ROOT, TERRAFORM, all_modules, load_module, module_dirs, parse_file, tf_files

MODULES = (
    "customer_table",
    "lambda_function",
    "rest_api",
    "iam",
    "eks",
    "edge",
    "cluster_scheduler",
    "build",
    "web",
    "ecr",
    "monitoring",
    "deployment",
    "backup",
    "synthetic_check",
    "channel_sync",
)

# Variables where no value of the declared type is implausible, so a validation would check nothing.
NO_VALIDATION_NEEDED = {
    "tags",  # any string map is a valid tag set
    "source_version",  # any branch, tag or commit name
    "web_source_dir",  # any directory (null: the repository's web/)
    "description",  # free text
    "environment",  # any string map
    "function_invoke_arns",  # outputs of the lambda_function module, by catalogue name
    "function_names",  # in rest_api: outputs of the lambda_function module
    "authorizer_function",  # a catalogue name, looked up in var.functions
    "build_image",  # any CodeBuild image reference
    "resources",  # Kubernetes quantities; the API server validates them
}


# What a .tf file of ours may declare at its top level.
TOP_LEVEL_BLOCKS = {
    *("terraform", "provider", "variable", "output", "locals", "module", "resource", "data"),
    *("check", "moved", "removed", "import"),
}


def test_every_tracked_tf_file_is_read_by_these_checks_and_declares_blocks() -> None:
    """The checks here walk ``tf_files()``: it must reach every .tf file git tracks (a file it missed
    would escape every check), and each must parse into Terraform blocks."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--", "terraform/*.tf"], cwd=ROOT, capture_output=True, check=True
    )
    tracked = {ROOT / name for name in listed.stdout.decode().split("\0") if name}
    assert tracked, "git lists no .tf file"
    assert tracked <= set(tf_files()), sorted(tracked - set(tf_files()))
    for file in tf_files():
        blocks = set(parse_file(file))
        assert blocks, f"{file.relative_to(ROOT)} declares nothing"
        assert blocks <= TOP_LEVEL_BLOCKS, f"{file.relative_to(ROOT)}: {sorted(blocks - TOP_LEVEL_BLOCKS)}"


def test_a_broken_tf_file_does_not_parse(tmp_path: Path) -> None:
    """So a file that parses above is well-formed HCL, not text the parser skipped over."""
    broken = tmp_path / "broken.tf"
    broken.write_text('resource "aws_s3_bucket" "page" {\n  bucket = "a"\n')
    with pytest.raises(Exception, match=r"(?i)unexpected|expect"):
        parse_file(broken)


@pytest.mark.parametrize("name", MODULES)
def test_module_has_the_standard_files(name: str) -> None:
    path = TERRAFORM / "modules" / name
    for file in ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"):
        assert (path / file).is_file(), f"modules/{name}/{file} is missing"
    module = load_module(path)
    assert module.outputs, f"modules/{name} has no outputs"
    readme = (path / "README.md").read_text(encoding="utf-8")
    assert readme.startswith(f"# {name}"), f"modules/{name}/README.md must start with its name"


def test_root_and_example_layout() -> None:
    for file in (
        "versions.tf",
        "providers.tf",
        "variables.tf",
        "outputs.tf",
        "main.tf",
        "functions.auto.tfvars.json",
    ):
        assert (TERRAFORM / file).is_file(), file
    example = TERRAFORM / "examples" / "complete"
    for file in (
        "main.tf",
        "variables.tf",
        "outputs.tf",
        "versions.tf",
        "terraform.tfvars.example",
        "README.md",
    ):
        assert (example / file).is_file(), file
    assert {p.name for p in (TERRAFORM / "modules").iterdir() if p.is_dir()} == set(MODULES)


def test_versions_pin_terraform_and_providers() -> None:
    for directory in module_dirs():
        module = load_module(directory)
        assert module.terraform, f"{module.name} has no terraform block"
        settings = module.terraform[0]
        assert re.fullmatch(r">= ?1\.([6-9]|\d\d)\.\d+", settings["required_version"]), module.name
        providers = (
            settings["required_providers"][0]
            if isinstance(settings["required_providers"], list)
            else settings["required_providers"]
        )
        for provider, spec in providers.items():
            assert spec["source"] in {"hashicorp/aws", "hashicorp/kubernetes"}, (module.name, provider)
            assert spec["version"], (module.name, provider)
        if "aws" in providers:
            constraint = providers["aws"]["version"]
            assert re.search(r">= ?5\.\d+", constraint), constraint
            assert re.search(r"< ?7\.0", constraint), constraint


def test_cloud_block_is_documented_in_versions_tf() -> None:
    text = (TERRAFORM / "versions.tf").read_text(encoding="utf-8")
    assert re.search(r"^\s*# cloud \{", text, flags=re.M), (
        "the optional cloud {} block must be shown (commented)"
    )
    assert "workspaces" in text


def test_every_variable_has_description_and_type_and_plausible_validation() -> None:
    missing_validation = []
    for module in all_modules():
        for name, body in module.variables.items():
            assert body.get("description"), f"{module.name}: variable {name} has no description"
            assert body.get("type"), f"{module.name}: variable {name} has no type"
            kind = str(body["type"])
            if "validation" in body or kind in {"${bool}", "bool"} or name in NO_VALIDATION_NEEDED:
                continue
            missing_validation.append(f"{module.name}:{name}")
    assert not missing_validation, f"variables without validation: {missing_validation}"


def test_every_output_has_a_description() -> None:
    for module in all_modules():
        for name, body in module.outputs.items():
            assert body.get("description"), f"{module.name}: output {name} has no description"


def test_every_module_call_passes_all_required_and_only_declared_variables() -> None:
    calls = 0
    for module in all_modules():
        for call, arguments in module.module_calls.items():
            source = (module.path / arguments["source"]).resolve()
            assert source.is_dir(), f"{module.name}: module {call} points at missing {arguments['source']}"
            target = load_module(source)
            passed = set(arguments) - META_ARGUMENTS
            declared = set(target.variables)
            required = {name for name, body in target.variables.items() if "default" not in body}
            assert not passed - declared, (
                f"{module.name}: module {call} passes undeclared {sorted(passed - declared)}"
            )
            assert not required - passed, (
                f"{module.name}: module {call} misses required {sorted(required - passed)}"
            )
            calls += 1
    assert calls >= 12


def test_example_declares_the_root_variables_unchanged() -> None:
    root_variables = load_module(TERRAFORM).variables
    example = load_module(TERRAFORM / "examples" / "complete").variables
    generated_elsewhere = {"functions", "web_source_dir"}
    assert set(example) == set(root_variables) - generated_elsewhere
    for name, body in example.items():
        assert body == root_variables[name], f"examples/complete variable {name} differs from the root's"


def test_example_tfvars_sets_every_example_variable() -> None:
    text = (TERRAFORM / "examples" / "complete" / "terraform.tfvars.example").read_text(encoding="utf-8")
    assigned = set(re.findall(r"^([a-z_]+)\s*=", text, flags=re.M))
    example = load_module(TERRAFORM / "examples" / "complete").variables
    assert assigned == set(example), sorted(set(example) ^ assigned)


def test_terraform_files_are_not_left_in_the_repo_root() -> None:
    stray = [p for p in ROOT.glob("*.tf")] + [p for p in Path(ROOT / "terraform").glob("*.tfstate*")]
    assert not stray, stray
