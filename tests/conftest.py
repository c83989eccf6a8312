"""Shared fixtures: the sample book, built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from abstractbook import pipeline


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> pipeline.BuildResult:
    out = tmp_path_factory.mktemp("sample") / "book.pdf"
    return pipeline.build(pipeline.sample_project(), out)


@pytest.fixture(scope="session")
def sample_pdf(sample_build: pipeline.BuildResult) -> Path:
    return sample_build.output
