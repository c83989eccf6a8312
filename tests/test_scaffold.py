"""The starter project of `new`: it builds, and what a build writes stays out of git."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from abstractbook import pipeline
from abstractbook.project.scaffold import write_project


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_new_project_keeps_its_build_and_cache_out_of_git(tmp_path: Path) -> None:
    project = tmp_path / "meeting"
    write_project(project)
    pipeline.build(project, project / "build" / "book.pdf")
    assert (project / "build" / ".abstractbook-cache").is_dir()
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    listed = sorted(line[3:] for line in status if line)
    assert listed == [
        ".gitignore",
        "abstracts/hopper.yaml",
        "abstracts/lovelace.yaml",
        "abstracts/noether.yaml",
        "book.yaml",
        "program.yaml",
    ]
