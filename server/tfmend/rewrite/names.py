"""Rendering qualified names in a file: reuse its imports, or add one import per package."""

from __future__ import annotations

from dataclasses import dataclass, field

from tfmend.resolve.bindings import FileBindings, Scope
from tfmend.resolve.qualnames import same_module
from tfmend.versions import Versions

_PREFERRED_ALIAS = {"tensorflow": "tf", "numpy": "np", "keras": "keras", "tf_keras": "tf_keras"}
_FALLBACK_ALIAS = {
    "tensorflow": "tensorflow",
    "numpy": "numpy",
    "keras": "keras3",
    "tf_keras": "tf_keras2",
}
_SUBMODULES = {"collections": "collections.abc", "keras.src.testing": "keras.src.testing"}
"""Names (a package, or a prefix of its names) that live in a submodule importing the package
does not load (`import collections` leaves `collections.abc` unset, `import keras` leaves
`keras.src.testing`): the added import names the submodule, and only an import of it is reused."""


IMPORTED_SUBMODULES = frozenset(_SUBMODULES.values())
"""The submodules a fix imports by name: a replacement inside one exists once it is imported."""


def _submodule(qualname: str) -> str | None:
    """The submodule to import for `qualname`, when importing its package does not load it."""
    for prefix, module in _SUBMODULES.items():
        if qualname == prefix or qualname.startswith(prefix + "."):
            return module
    return None


@dataclass
class NameRenderer:
    """Turns `tensorflow.math.log` into `tf.math.log`, recording imports the file lacks."""

    bindings: FileBindings
    versions: Versions
    added: dict[str, str] = field(default_factory=dict)
    """Package → alias of each import to add (`{"keras": "keras"}` → `import keras`)."""
    needed: set[str] = field(default_factory=set)
    """Packages to import that renders since it was last cleared used (one fix's imports)."""
    reusable: list[tuple[str, str]] | None = None
    """(module, text) of each import binding a rendering may reuse (the bound name, or the
    dotted path of a `_SUBMODULES` import); found when None."""

    def __post_init__(self) -> None:
        if self.reusable is not None:
            self._reusable = self.reusable
            return
        self._reusable = []
        for name in self.bindings.module.bindings:
            resolution = self.bindings.module_resolution(name)
            if resolution is None or resolution.shadowed:
                continue
            imports = resolution.imports
            modules = {
                i.imported
                if i.imported in IMPORTED_SUBMODULES
                else same_module(i.target, self.versions)
                for i in imports
            }
            if len(modules) == 1 and all(i.level == 0 for i in imports):
                module = modules.pop()
                if module in IMPORTED_SUBMODULES:
                    # `import keras.src.testing` binds `keras`, the package: the submodule is
                    # written in full, and the package's other names reach through it
                    self._reusable.append((module, module))
                    module = module.partition(".")[0]
                self._reusable.append((module, name))
        self.reusable = self._reusable

    def render(self, qualname: str, scope: Scope | None = None) -> str:
        """The text that reaches `qualname` at module level (or in `scope`)."""
        best: tuple[int, str] | None = None
        package, _, rest = qualname.partition(".")
        submodule = _submodule(qualname)
        for module, name in self._reusable:
            if submodule is not None and module == package:
                continue  # `import collections` does not load `collections.abc`
            reaches = qualname == module or qualname.startswith(module + ".")
            free = self._free(name.partition(".")[0], scope)
            if reaches and free and (best is None or len(module) > best[0]):
                best = (len(module), name + qualname[len(module) :])
        if best is not None:
            return best[1]
        if (
            submodule is not None
        ):  # `import collections.abc` binds `collections`, whatever else does
            self.added[package] = package
            self.needed.add(submodule)  # its import line names the submodule
            return qualname
        alias = self.added.get(package) or self._new_alias(package, scope)
        self.added[package] = alias
        self.needed.add(package)
        return f"{alias}.{rest}" if rest else alias

    def import_line(self, package: str) -> str:
        """The import statement to add for a package (or for a submodule of `_SUBMODULES`)."""
        if package in IMPORTED_SUBMODULES:
            return f"import {package}"
        alias = self.added[package]
        return f"import {package}" if alias == package else f"import {package} as {alias}"

    def _new_alias(self, package: str, scope: Scope | None) -> str:
        for alias in (
            _PREFERRED_ALIAS.get(package, package),
            _FALLBACK_ALIAS.get(package, package),
        ):
            if not self._taken(alias, scope):
                return alias
        return f"_{package}"

    def _taken(self, name: str, scope: Scope | None) -> bool:
        if name in self.bindings.module.bindings:
            return True
        return not self._free(name, scope)

    @staticmethod
    def _free(name: str, scope: Scope | None) -> bool:
        """Whether no scope between `scope` and the module rebinds `name`."""
        while scope is not None and scope.parent is not None:
            if name in scope.bindings:
                return False
            scope = scope.parent
        return True
