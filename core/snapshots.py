"""Public data sets come from snapshots of public repositories: a bare git folder (or a clone with a work tree) per
repository, ``<mirror>/<owner>+<name>/repo``, found by ``mirror_path``. ``git_show`` reads one file at a recorded commit, no
work tree needed: ``python -m support nli``, ``python -m relevance topic`` and COVID-QA of ``python -m relevance public`` read their files
so; MedQuAD is read whole with ``git archive`` at its snapshot's newest commit, which the builder records."""

from __future__ import annotations

import subprocess
from pathlib import Path

from core.errors import GuideError

DEFAULT_MIRROR = Path("/work/.mirror")  # where the snapshots of this project's machines are kept


def _get_it(repo: str, folder: Path) -> str:
    return f"get it with 'git clone --bare https://github.com/{repo} {folder}'"


def mirror_path(mirror: Path, repo: str) -> Path:
    """The git folder of ``repo``'s snapshot under ``mirror``."""
    path = mirror / repo.replace("/", "+") / "repo"
    git_dir = path / ".git" if (path / ".git").is_dir() else path
    if not (git_dir / "HEAD").exists():
        raise GuideError(f"No snapshot of {repo} under {mirror}: {_get_it(repo, path)}, then run this again.")
    return git_dir


def git_show(mirror: Path, repo: str, commit: str, path: str) -> str:
    """The text of ``path`` at ``commit`` in ``repo``'s snapshot (UTF-8, a byte-order mark dropped)."""
    git_dir = mirror_path(mirror, repo)
    done = subprocess.run(["git", f"--git-dir={git_dir}", "show", f"{commit}:{path}"], capture_output=True, check=False)
    if done.returncode:
        raise GuideError(f"The snapshot of {repo} lacks {path} at commit {commit[:10]}, which relevance/data/SOURCES.md records "
                         f"({done.stderr.decode(errors='replace').strip()[:200]}): bring it up to date with "
                         f"'git --git-dir={git_dir} fetch origin', or remove {git_dir} and clone it again.")
    try:
        return done.stdout.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise GuideError(f"{repo}@{commit[:10]}:{path} is not UTF-8 text ({error}): check the path and commit the caller names.") from error
