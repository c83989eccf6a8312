"""Shared fixtures: the sample book, built once per test session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from abstractbook import pipeline

PACKAGE = Path(pipeline.__file__).parent


def pytest_configure(config: pytest.Config) -> None:
    """Refuse to test a compiled module older than its source: Python would import the
    stale extension and the tests would check code that is no longer there."""
    stale = [
        str(so.relative_to(PACKAGE.parent))
        for so in PACKAGE.rglob("*.so")
        if (py := so.with_name(so.name.split(".")[0] + ".py")).exists()
        and so.stat().st_mtime < py.stat().st_mtime
    ]
    if stale:
        raise pytest.UsageError(
            f"compiled from an older source: {', '.join(stale)}; `make test` compiles them again"
        )


@pytest.fixture(scope="session", autouse=True)
def user_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The tests' own user cache folder (where the cache's secret lives), also for the
    commands they run as processes: a test never touches the real one."""
    folder = tmp_path_factory.mktemp("user-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(folder))
        yield folder


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> pipeline.BuildResult:
    out = tmp_path_factory.mktemp("sample") / "book.pdf"
    return pipeline.build(pipeline.sample_project(), out)


@pytest.fixture(scope="session")
def sample_pdf(sample_build: pipeline.BuildResult) -> Path:
    return sample_build.output
