"""The production image's build context, made the way Docker makes it, runs in production mode.

The Dockerfile copies the build context that .dockerignore leaves (an allow-list) and runs
collectstatic and `check --deploy` on it in production mode. This test makes that same context
with Docker's own .dockerignore matching (the `docker` package's `exclude_paths`), copies it to
a temporary folder, and in a subprocess that can import nothing from this source tree runs what
the image's build step runs, with that step's environment (read from the Dockerfile) and
throwaway keys. It takes seconds and needs no container engine, so a package that production
imports but .dockerignore leaves out (or an app in production's INSTALLED_APPS that is not
shipped) fails `make test`, not a deployment. `make compose-check` builds and runs the real image.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from docker.utils.build import exclude_paths

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.once("copies and reads files only: the same on both set-ups")

# Never part of the image, whatever .dockerignore says: tests, benchmarks, local state, secrets.
NEVER_SHIPPED = {"tests", "bench", "conftest.py", "var", ".git", ".venv", ".env", ".ci", "scripts"}


def dockerignore_patterns(root: Path) -> list[str]:
    """.dockerignore's patterns as the Docker CLI reads them: one per line, # comments."""
    lines = (root / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def build_context(root: Path, dest: Path) -> set[str]:
    """Copy what Docker would send as the build context to dest; return its relative paths."""
    paths = exclude_paths(str(root), dockerignore_patterns(root), dockerfile="Dockerfile")
    for rel in sorted(paths):
        source, target = root / rel, dest / rel
        if source.is_dir() and not source.is_symlink():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return paths


def collectstatic_step_env(dockerfile: Path) -> dict[str, str]:
    """The environment of the Dockerfile's collectstatic step (its VAR=value prefixes), each
    `$(...)`-generated key replaced by a throwaway one, plus the image's ENV lines."""
    text = dockerfile.read_text(encoding="utf-8").replace("\\\n", " ")
    steps = [
        line for line in text.splitlines() if line.startswith("RUN ") and "collectstatic" in line
    ]
    assert len(steps) == 1, "expected one RUN step with collectstatic in the Dockerfile"
    step = steps[0][len("RUN ") :]
    for command in ("collectstatic --noinput", "check --deploy"):
        assert command in step, f"the Dockerfile's static step no longer runs `{command}`"
    env = {}
    prefix = step.split(" sh -c ", 1)[0].split(" python ", 1)[0]
    for name, value in re.findall(r"([A-Z][A-Z0-9_]*)=(\"[^\"]*\"|'[^']*'|\S+)", prefix):
        if value.startswith('"$(') or value.startswith("$("):
            value = secrets.token_urlsafe(64)
        env[name] = value.strip("\"'")
    for name in ("SECRET_KEY", "CRYPTOGRAPHY_KEY", "DATABASE_URL", "REDIS_URL", "SITE_URL"):
        assert name in env, f"{name} not found in the Dockerfile's collectstatic step"
    image_env = dict(re.findall(r"\b(VPCASE_ENV|VPCASE_DATA_DIR)=(\S+)", text))
    assert image_env.get("VPCASE_ENV") == "production", "the image no longer runs in production"
    return {**image_env, **env}


IMPORT_EVERYTHING = """
import sys
import django
django.setup()
import vpcase.urls
from vpcase.celery import app
app.loader.import_default_modules()
from django.template.loader import get_template
for name in sys.argv[1:]:
    get_template(name)
from django.conf import settings
print(len(settings.INSTALLED_APPS), "apps,", len(sys.argv) - 1, "templates")
"""


@pytest.fixture(scope="module")
def context(tmp_path_factory) -> tuple[Path, set[str]]:
    dest = tmp_path_factory.mktemp("image-context") / "app"
    dest.mkdir()
    return dest, build_context(ROOT, dest)


def run_in_context(app: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """Run python in the copied context, with no access to this source tree: `-S` skips the
    site-packages .pth files (among them the editable install's path hook back to ROOT), and
    PYTHONPATH gives the copy first, then the installed dependencies."""
    paths = [str(app), sysconfig.get_path("purelib"), sysconfig.get_path("platlib")]
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(app)),
        "LANG": "C.UTF-8",
        "PYTHONPATH": os.pathsep.join(dict.fromkeys(paths)),
        "PYTHONDONTWRITEBYTECODE": "1",
        "DJANGO_SETTINGS_MODULE": "vpcase.settings",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-S", *args],
        cwd=app,
        env=clean,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_context_leaves_out_what_production_does_not_run(context):
    _app, paths = context
    top = {p.split("/", 1)[0] for p in paths}
    shipped = top & NEVER_SHIPPED | {p for p in top if p.startswith(".env")}
    assert not shipped, f".dockerignore lets {sorted(shipped)} into the image"
    assert "manage.py" in top and "vpcase" in top


def test_context_runs_the_image_build_step_in_production_mode(context, tmp_path):
    app, _paths = context
    env = collectstatic_step_env(ROOT / "Dockerfile")
    env["VPCASE_DATA_DIR"] = str(tmp_path / "var")  # /app/var in the image
    # Every template of the source tree by name, as the views ask for them.
    templates = sorted(
        str(path.relative_to(ROOT / "templates"))
        for path in (ROOT / "templates").rglob("*")
        if path.is_file()
    )
    steps = [
        (
            "import the production settings, every app, URL and Celery task module, and load "
            "every template",
            ["-c", IMPORT_EVERYTHING, *templates],
        ),
        ("collectstatic --noinput", ["manage.py", "collectstatic", "--noinput", "-v0"]),
        ("check --deploy", ["manage.py", "check", "--deploy", "--fail-level", "WARNING"]),
    ]
    for what, args in steps:
        result = run_in_context(app, env, *args)
        if result.returncode != 0:
            pytest.fail(
                f"In the image's build context (what .dockerignore lets through), `{what}` "
                f"failed in production mode:\n{result.stdout}{result.stderr[-3000:]}",
                pytrace=False,
            )
    manifest = Path(env["VPCASE_DATA_DIR"]) / "static" / "staticfiles.json"
    assert manifest.is_file(), "collectstatic wrote no WhiteNoise manifest"
