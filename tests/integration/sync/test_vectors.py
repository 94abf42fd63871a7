"""The sync conformance vectors (``sync/vectors/*.json``) against the real server, on both backends.

Each vector states one behaviour of SPEC.md as data — requests, expected answers, the warehouse's
final state — so that the PWA's tests can later replay the very same files. Here they are run
against the server over HTTP (``tests/sync_vectors.py`` holds the runner); every file is also
checked against the format first, so a typo in a vector fails loudly instead of checking nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.sync_support import Client
from tests.sync_vectors import format_problems, load_vector, run_vector, vector_paths

VECTORS = vector_paths()


def _params() -> list[object]:
    return [pytest.param(path, id=path.stem) for path in VECTORS]


@pytest.mark.unit
def test_the_vector_folder_is_not_empty() -> None:
    assert len(VECTORS) >= 15, VECTORS


@pytest.mark.unit
@pytest.mark.parametrize("path", _params())
def test_vector_follows_the_format(path: Path) -> None:
    problems = format_problems(load_vector(path), path.stem)
    assert not problems, f"{path.name}:\n  " + "\n  ".join(problems)


@pytest.mark.sync
@pytest.mark.parametrize("path", _params())
async def test_vector(path: Path, client: Client, session_factory: async_sessionmaker[AsyncSession]) -> None:
    vector = load_vector(path)
    assert not format_problems(vector, path.stem), "see test_vector_follows_the_format"
    await run_vector(client, session_factory, vector)
