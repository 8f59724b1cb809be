"""The core names no platform: imports point inward and no platform word appears.

Settings and the composition root (bot/config.py, bot/bootstrap.py, bot/cli*.py)
are where platforms are chosen, so they are the exceptions.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ("bot", "scheduler", "storage")
COMPOSITION = {"bot/config.py", "bot/bootstrap.py", "bot/cli.py", "bot/cli_admin.py"}
HISTORY = "storage/migrations/versions/"
FORBIDDEN_IMPORTS = ("handlers", "slack_bolt", "slack_sdk", "lark_oapi", "lark")
PLATFORM_WORDS = re.compile(
    r"slack|feishu|lark|mrkdwn|block kit|thread_ts|message_ts|response_url|open_id|\bts\b",
    re.IGNORECASE,
)


def _core_files() -> list[Path]:
    files = []
    for package in CORE:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            # Applied migrations are history: they keep the column names they renamed.
            if name not in COMPOSITION and not name.startswith(HISTORY):
                files.append(path)
    return files


def _imported(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_core_is_found() -> None:
    assert len(_core_files()) > 40


@pytest.mark.parametrize("path", _core_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_core_module_imports_no_platform(path: Path) -> None:
    imported = _imported(ast.parse(path.read_text(encoding="utf-8")))
    bad = sorted(name for name in imported if name.split(".")[0] in FORBIDDEN_IMPORTS)
    assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


@pytest.mark.parametrize("path", _core_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_core_module_names_no_platform(path: Path) -> None:
    hits = [
        f"{n}: {line.strip()}"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if PLATFORM_WORDS.search(line)
    ]
    assert not hits, f"{path.relative_to(ROOT)} names a platform:\n" + "\n".join(hits)
