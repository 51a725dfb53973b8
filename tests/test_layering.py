"""Imports go one way only (docs/architecture.md, "Apps and layering"):

    agencies  <-  customers  <-  widgets  <-  outcomes  <-  demo

An app may import its own modules and those of the apps to its left, never to its
right. `config` is the project: its settings, URLs and WSGI may import any app,
and the apps may use only its form renderer (`config.forms`). This test reads the
imports of every module (functions' imports too) without running them.

Inside `widgets`, one folder per capability (docs/architecture.md, "Inside
widgets"): `catalogue`, `counting`, `surveys`, `api`, `interop`. A capability
imports the shared modules (`models`, `periods`, `flow`, `coach`, `channels`)
and only the capabilities CAPABILITY_USES names; the shared modules import no
capability; `urls`, `admin`, `management` and `apps` wire them together and may import
any.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("agencies", "customers", "widgets", "outcomes", "demo")
RANK = {app: rank for rank, app in enumerate(LAYERS)}
SHARED_FROM_CONFIG = {"config.forms"}
CAPABILITY_USES = {
    "catalogue": {"surveys"},  # the widget page shows what customers said
    "counting": set(),
    "surveys": set(),
    "api": {"counting"},  # the API writes counts through the one write
    "interop": {"counting"},  # so does the service inventory import
}
# `apps` wires too: its ready() registers a capability's hooks with the apps below.
WIRING = {"urls", "admin", "management", "apps"}


def imported_modules(source, module):
    """Dotted names of what `source` (the text of `module`) imports, relative ones resolved."""
    package = module.split(".")
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                # `from . import x` in a package's module: the package itself, then up.
                base = package[: len(package) - node.level]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module
            found.append(name)
            found.extend(f"{name}.{alias.name}" for alias in node.names)
    return found


def forbidden_in_widgets(module, imported):
    """Why a module of widgets may not import another part of widgets, or None."""
    parts, target = module.split("."), imported.split(".")
    if len(parts) < 2 or len(target) < 2 or target[0] != "widgets":
        return None
    part, other = parts[1], target[1]
    if part == other or part in WIRING:
        return None
    if other in CAPABILITY_USES:
        allowed = CAPABILITY_USES.get(part, set())
        if other not in allowed:
            kind = "capability" if part in CAPABILITY_USES else "shared module"
            return f"{module} (the {part} {kind}) imports {imported} (the {other} capability)"
    return None


def forbidden(module, imported):
    """Why `module` may not import `imported`, or None when it may."""
    app = module.split(".")[0]
    target = imported.split(".")[0]
    if app == "widgets" and target == "widgets":
        return forbidden_in_widgets(module, imported)
    if app not in RANK:
        return None
    if target == "config":
        if any(imported == s or imported.startswith(s + ".") for s in SHARED_FROM_CONFIG):
            return None
        return f"{module} imports {imported}: apps use only config.forms"
    if target in RANK and RANK[target] > RANK[app]:
        return f"{module} ({app}) imports {imported} ({target}), which is above it"
    return None


def _modules():
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join(parts), path


def test_every_app_imports_only_the_apps_below_it():
    problems = []
    for module, path in _modules():
        is_package = path.name == "__init__.py"
        name = f"{module}.__init__" if is_package else module
        for imported in imported_modules(path.read_text(), name):
            problem = forbidden(module, imported)
            if problem:
                problems.append(f"{path.relative_to(ROOT)}: {problem}")
    assert problems == []


@pytest.mark.parametrize(
    ("module", "source", "allowed"),
    [
        ("widgets.catalogue.views", "from outcomes.models import Outcome", False),
        ("widgets.catalogue.views", "import outcomes.status", False),
        ("widgets.counting.rules", "from ...outcomes import status", False),
        ("customers.views", "from widgets.models import Widget", False),
        ("agencies.models", "from config.settings import DEBUG", False),
        ("outcomes.views", "from widgets.models import Widget", True),
        ("widgets.counting.rules", "from ..models import WidgetCount", True),
        ("demo.management.commands.seed_demo", "from outcomes.models import Outcome", True),
        ("widgets.catalogue.views", "from config.forms import refuse_stale_save", True),
        ("widgets.counting.views", "from ..catalogue import services", False),
        ("widgets.surveys.views", "from widgets.counting import save_counts", False),
        ("widgets.models.definitions", "from ..catalogue.selectors import x", False),
        ("widgets.api.counts", "from .. import counting", True),
        ("widgets.catalogue.views", "from ..surveys.results import x", True),
        ("widgets.urls", "from .interop.urls import x", True),
        ("widgets.counting.grid", "from ..models import Widget", True),
    ],
)
def test_the_rule_tells_an_upward_import_from_a_downward_one(module, source, allowed):
    problems = [p for p in (forbidden(module, i) for i in imported_modules(source, module)) if p]
    assert (not problems) is allowed, problems
