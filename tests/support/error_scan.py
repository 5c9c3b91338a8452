"""Every error code the source can answer, found by reading it (``ast``), not by running it.

An ``ApiError`` subclass's ``code``, a raise of one with ``code="…"``, a ``row_id(…, code)``
and a ``fails((status, "CODE: …"))`` documentation entry each name a code. Codes handed
around in variables are not found; the catalogue test relies on the literal habit.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass
from pathlib import Path

from app.error_codes import codes_in

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "handlers", "push", "channels")


@dataclass(frozen=True)
class Use:
    code: str
    status: int | None
    message: str | None
    where: str  # path:line


def _files() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _str(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _int(node: ast.expr | None) -> int | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, int) else None


def _error_classes(trees: dict[Path, ast.Module]) -> dict[str, dict[str, object]]:
    """ApiError and its subclasses by name, with their own or inherited status/code/message."""
    # ApiError's own defaults (app/errors.py)
    found: dict[str, dict[str, object]] = {
        "ApiError": {"status": 400, "code": "BAD_REQUEST", "message": "请求有误"}}
    classes = [n for t in trees.values() for n in ast.walk(t) if isinstance(n, ast.ClassDef)]
    grown = True
    while grown:
        grown = False
        for cls in classes:
            bases = [b for b in (_name(x) for x in cls.bases) if b in found]
            if cls.name in found or not bases:
                continue
            attrs = dict(found[bases[0]])
            for stmt in cls.body:
                if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                    key = _name(stmt.targets[0])
                    if key in ("status", "code", "message"):
                        attrs[key] = _int(stmt.value) if key == "status" else _str(stmt.value)
            found[cls.name] = attrs
            grown = True
    return found


def _helpers(trees: dict[Path, ast.Module], classes: dict[str, dict[str, object]]
             ) -> dict[str, tuple[str, int, int | None, int | None]]:
    """Functions that raise an error with a code they are handed (``row_id``,
    ``check_number``, ``_refuse`` …): name → (parameter, position, status, position of the
    message parameter)."""
    found: dict[str, tuple[str, int, int | None, int | None]] = {}
    for tree in trees.values():
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            params = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs)]
            for node in ast.walk(fn):
                if not (isinstance(node, ast.Call) and _name(node.func) in classes):
                    continue
                kw = {k.arg: k.value for k in node.keywords if k.arg}
                arg = kw.get("code")
                if isinstance(arg, ast.Name) and arg.id in params:
                    attrs = classes[str(_name(node.func))]
                    status = _int(kw.get("status")) if "status" in kw else attrs.get("status")
                    said = node.args[0] if node.args else None
                    words = (params.index(said.id) if isinstance(said, ast.Name)
                             and said.id in params else None)
                    found[fn.name] = (arg.id, params.index(arg.id), status, words)  # type: ignore[assignment]
    return found


@functools.cache
def scan() -> list[Use]:
    trees = {p: ast.parse(p.read_text(encoding="utf-8"), str(p)) for p in _files()}
    classes = _error_classes(trees)
    helpers = _helpers(trees, classes)
    uses: list[Use] = []
    for path, tree in trees.items():
        rel = path.relative_to(ROOT)
        for node in ast.walk(tree):
            where = f"{rel}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.ClassDef) and node.name in classes:
                attrs = classes[node.name]
                if any(isinstance(s, ast.Assign) and _name(s.targets[0]) == "code"
                       for s in node.body):
                    uses.append(Use(str(attrs["code"]), attrs.get("status"),  # type: ignore[arg-type]
                                    attrs.get("message"), where))  # type: ignore[arg-type]
            if not isinstance(node, ast.Call):
                continue
            func = _name(node.func)
            kw = {k.arg: k.value for k in node.keywords if k.arg}
            if func in classes:
                attrs = classes[func]
                code = _str(kw.get("code")) if "code" in kw else attrs.get("code")
                if code is None:
                    continue
                status = _int(kw.get("status")) if "status" in kw else attrs.get("status")
                message = _str(node.args[0]) if node.args else _str(kw.get("message"))
                uses.append(Use(str(code), status, message, where))  # type: ignore[arg-type]
            elif func in helpers:
                param, index, status, words = helpers[func]
                given = kw.get(param) or (node.args[index] if len(node.args) > index else None)
                code = _str(given)
                if code is not None and codes_in(code) == [code]:
                    message = (_str(node.args[words]) if words is not None
                               and len(node.args) > words else None)
                    uses.append(Use(code, status, message, where))
            elif func == "fails":
                for arg in node.args:
                    if isinstance(arg, ast.Tuple) and len(arg.elts) == 2:
                        for code in codes_in(_str(arg.elts[1]) or ""):
                            uses.append(Use(code, _int(arg.elts[0]), None, where))
    return uses
