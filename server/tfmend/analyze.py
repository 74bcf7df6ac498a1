"""Findings for one parsed module: resolve each name use, match it against the catalog."""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, cast

from tfmend.catalog.meta import MISSING_API
from tfmend.catalog.rules import Catalog, Rule, When
from tfmend.findings import Finding, FixSafety, Origin
from tfmend.resolve.bindings import Chain, ImportBinding, Resolution
from tfmend.resolve.module import ParsedModule, ProjectResolver, version_parts
from tfmend.resolve.qualnames import RECEIVER_CLASSES, canonical_names
from tfmend.resolve.surface import Surface
from tfmend.rewrite.graph_mode import Importers, is_library, switches_graph_mode
from tfmend.rewrite.plan import Planner
from tfmend.versions import Versions, parse_version


def rule_applies(rule: Rule, versions: Versions) -> bool:
    """Whether the target versions are at or past any version the rule names in `since`."""
    return any(
        versions.version(package) >= parse_version(version)
        for package, version in rule.since.items()
    )


@dataclass(frozen=True)
class ImportRewrite:
    """How an import of a removed module is pointed at what replaces it."""

    rule: Rule
    old: str
    """The module the statement imports."""
    new: str
    """The module that replaces it, or "" when the names go to different modules (`split`)."""
    split: tuple[str, ...] = ()
    """For `from old import a, b` whose names moved apart: each name's new module, in order."""
    bound: str = ""
    """For `from package import module` of a removed module replaced by a module: the name the
    statement binds, which `import new as bound` keeps (`from keras import engine` →
    `import keras as engine`)."""


@dataclass
class Context:
    """File-wide facts the uses of one module are matched with (Analyzer.context)."""

    module: ParsedModule
    planner: Planner
    interesting: set[str] | None
    """Names that may resolve to an import (None: resolve every use)."""
    has_stars: bool
    instance_attributes: dict[str, list[tuple[str, Rule]]]
    methods: dict[str, list[tuple[str, Rule]]]
    receivers: dict[tuple[object, ...], Rule]
    """The receivers a `through` rule matched in the module (found once per module: the
    editor's check matches the uses of one statement at a time)."""


@dataclass
class _Match:
    rules: list[Rule]
    api: str
    index: int
    """Index into the chain's nodes of the matched prefix."""


class Analyzer:
    """Matches the name uses of one module against the catalog."""

    def __init__(
        self,
        catalog: Catalog,
        versions: Versions,
        project: ProjectResolver | None = None,
        surface: Surface | None = None,
    ) -> None:
        self.catalog = catalog
        self.versions = versions
        self.project = project
        self._canonical_names: dict[str, list[str]] = {}
        # Decided once: whether each rule applies to the target versions.
        self._applicable = {
            api: applicable
            for api, rules in catalog.by_api.items()
            if (applicable := [r for r in rules if rule_applies(r, versions)])
        }
        self.surface = surface if surface is not None and surface.available else None
        self.imported: Importers | None = None
        """Whether another project file imports a module's file (then it is a library)."""
        """The installed API surface: names missing from it are findings; names present in it
        are not reported as removed."""

    def analyze(self, module: ParsedModule, *, keras_file: bool = False) -> list[Finding]:
        """All findings of a module, sorted by position, without ignored ones.

        `keras_file` says the file is Keras code even if it no longer imports Keras (a fix may
        have removed the import): attributes like `model.optimizer.lr` are still checked.
        """
        context = self.context(module, keras_file=keras_file)
        uses = self.use_findings(context, module.bindings.chains)
        fixes: dict[int, list[FixSafety]] = {}
        for finding, imported in uses:
            if imported is not None:
                fixes.setdefault(id(imported), []).append(finding.fix)
        findings = [finding for finding, _ in uses]
        for imported, _scope in module.bindings.imports:
            on_import = self.import_finding(module, imported, fixes.get(id(imported), []))
            if on_import is not None:
                findings.append(on_import)
        findings = self.reachable(module, [f for f in findings if not is_ignored(module, f)])
        findings.sort(key=lambda f: (f.span, f.code))
        return safe_in_graph_code(module, findings)

    def reachable(self, module: ParsedModule, findings: list[Finding]) -> list[Finding]:
        """The findings outside bodies that never run on the target or that run only where the
        name exists (see `may_drop_unreachable`): a question about the whole module."""
        dead = _dead_bodies(module, self.versions, self.project)
        if dead:
            findings = [
                f
                for f in findings
                if not any(start <= f.span.start.line <= end for start, end in dead)
            ]
        guarded = _hasattr_guards(module)
        if guarded:
            findings = [f for f in findings if not _guarded(f, guarded)]
        return findings

    def context(
        self, module: ParsedModule, *, keras_file: bool = False, library: bool | None = None
    ) -> Context:
        """What the uses of a module are matched with: its file-wide facts and its planner."""
        bindings = module.bindings
        keras_code = keras_file or any(imported.framework for imported, _ in bindings.imports)
        methods = self.catalog.any_receiver if keras_file or self._keras_3(module) else {}
        return Context(
            module=module,
            planner=Planner(
                module,
                self.versions,
                library=(lambda: self.is_library(module)) if library is None else library,
            ),
            # Only a shortcut: a name outside it resolves to no import anyway. A ModulePart's
            # statements are few, so they go without it.
            interesting=bindings.interesting_names() if module.whole is module else None,
            has_stars=bool(bindings.module.stars),
            instance_attributes=self.catalog.instance_attributes if keras_code else {},
            methods=methods,
            receivers=self._through_receivers(module, methods) if methods else {},
        )

    def use_findings(
        self, context: Context, chains: list[Chain]
    ) -> list[tuple[Finding, ImportBinding | None]]:
        """The findings of some uses, in order, each with the import binding it went through."""
        module = context.module
        bindings = module.bindings
        planner = context.planner
        interesting = context.interesting
        instance_attributes, methods = context.instance_attributes, context.methods
        out: list[tuple[Finding, ImportBinding | None]] = []
        receivers = context.receivers
        for chain in chains:
            if (instance_attributes or methods) and len(chain.nodes) > 1:
                found_attribute = self._instance_finding(planner, chain, instance_attributes)
                on_attribute = [found_attribute] if found_attribute else []
                on_attribute = on_attribute or self._method_findings(planner, chain, methods)
                on_attribute = on_attribute or _receiver_findings(planner, chain, receivers)
                if on_attribute:
                    out.extend((finding, None) for finding in on_attribute)
                    continue
            if interesting is not None and chain.base not in interesting and not context.has_stars:
                continue
            resolution = bindings.resolve(chain)
            if resolution is None:
                continue
            chain_findings, imported = self._chain_findings(planner, chain, resolution)
            if not chain_findings and self.surface is not None:
                missing = self._missing_finding(module, chain, resolution)
                chain_findings = [missing] if missing is not None else []
            out.extend((finding, imported) for finding in chain_findings)
        return out

    # -- matching --------------------------------------------------------------------------------
    def is_library(self, module: ParsedModule) -> bool:
        """Whether the module is imported by other code rather than run (graph_mode.is_library)."""
        return is_library(module.whole.tree, module.path, self.imported)

    def match(self, qualname: str, attributes: list[str], floor: int = 0) -> _Match | None:
        """The longest prefix of `qualname.attributes...` that a rule names (prefix >= floor),
        with the rules about naming the API: an import's, not one kind of use's (`_use_shaped`)."""
        for found in self.matches(qualname, attributes, floor):
            rules = [rule for rule in found.rules if not _use_shaped(rule)]
            if rules:
                return _Match(rules, found.api, found.index)
        return None

    def _name_match(self, qualname: str, attributes: list[str], floor: int = 0) -> _Match | None:
        """The longest prefix with a rule about the name itself, not only about some calls of it
        (`tensorflow.python.keras.layers.LSTM`: the module's rule, not the LSTM argument rule)."""
        return next(
            (
                m
                for m in self.matches(qualname, attributes, floor)
                if not all(map(_about_calls, m.rules))
            ),
            None,
        )

    def _canonical(self, name: str) -> list[str]:
        """canonical_names for the versions, remembered (names repeat across a file's uses)."""
        found = self._canonical_names.get(name)
        if found is None:
            found = self._canonical_names[name] = canonical_names(name, self.versions)
        return found

    def matches(self, qualname: str, attributes: list[str], floor: int = 0) -> Iterator[_Match]:
        """Every prefix that a rule names, longest first."""
        for index in range(len(attributes), floor - 1, -1):
            name = ".".join([qualname, *attributes[:index]])
            for candidate in self._canonical(name):
                applicable = self._applicable.get(candidate)
                if applicable:
                    yield _Match(applicable, candidate, index)
                    break

    def _base_names(
        self, module: ParsedModule, chain: Chain, imported: ImportBinding, via: tuple[str, ...]
    ) -> tuple[str, list[str], int, Origin | None] | None:
        """(qualified name of nodes[floor], attributes after it, floor, origin) for one binding."""
        attributes = chain.attributes
        if imported.alias.name == "*":
            if imported.tracked:
                return ".".join([imported.target, chain.base, *via]), attributes, 0, None
        elif imported.tracked:
            return ".".join([imported.target, *via]), attributes, 0, None
        if self.project is None or module.path is None or via:
            return None
        resolved = self.project.resolve(module, chain, imported)
        if resolved is None:
            return None
        return resolved.qualname, attributes[resolved.used :], resolved.used, resolved.origin

    def _chain_findings(
        self, planner: Planner, chain: Chain, resolution: Resolution
    ) -> tuple[list[Finding], ImportBinding | None]:
        """Findings of every rule matching the chain, and the import binding it went through."""
        module = planner.module
        best: tuple[list[_Match], ImportBinding, Origin | None, int, str, list[str]] | None = None
        readings: set[str | None] = set()
        for imported in resolution.imports:
            base = self._base_names(module, chain, imported, resolution.via)
            if base is None:
                if imported.guard == "try":
                    return [], None
                continue
            qualname, attributes, floor, origin = base
            prefixes = list(self.matches(qualname, attributes))
            if not imported.guard:  # try/except: the preferred import is the one that runs
                readings.add(self._reading(module, imported, prefixes, qualname, attributes))
            if not prefixes:
                if imported.guard == "try":
                    # A compatibility shim: the preferred import works, the fallback is not used.
                    return [], None
                continue
            if best is None:
                best = (prefixes, imported, origin, floor, qualname, attributes)
        if best is None:
            return [], None
        # Bound by several imports (an if/else switch) that do not all read as the same API: a
        # rewrite right for one binding may break the others, so the use is left to the user.
        switched = len(readings) > 1
        matches, imported, origin, floor, qualname, attributes = best
        # The longest matching prefix wins; a shorter one applies only when every rule of the
        # longer one declines this use (a keyword rule on a call without those keywords).
        for found in matches:
            node = chain.nodes[found.index + floor]
            if _stored(node):
                continue
            findings = []
            written = ".".join([qualname, *attributes[: found.index]])
            for rule in found.rules:
                if self._exists(written) and _missing_when_removed(rule):
                    continue  # the installed version still has it under this spelling
                finding = self._use_finding(
                    planner=planner, chain=chain, node=node, rule=rule, api=found.api,
                    imported=imported, origin=origin,
                )  # fmt: skip
                if finding is not None:
                    findings.append(finding)
                    findings.extend(_super_call_findings(module, node, finding))
            if findings:
                findings += self._moved_findings(
                    planner=planner, chain=chain, node=node, found=found, imported=imported,
                    origin=origin,
                )  # fmt: skip
            if findings and switched:
                findings = [replace(f, fix="none", fix_note=_SWITCHED, plan=None) for f in findings]
            if findings:
                return findings, imported
        return [], imported

    def _reading(
        self,
        module: ParsedModule,
        imported: ImportBinding,
        prefixes: list[_Match],
        qualname: str,
        attributes: list[str],
    ) -> str | None:
        """The API a use reads as through one binding of a switch, once the fix has rewritten
        that binding's import: a use whose only rule is the imported module's own (`keras.utils`
        through `from tensorflow.python import keras`) reads as the module the import becomes
        (`from tensorflow import keras`), the same text naming a name of that module."""
        named = [p for p in prefixes if not all(_use_shaped(r) for r in p.rules)]
        if not named:
            return None
        if named[0].index or qualname != imported.target:
            return named[0].api
        rewrite = self.import_rewrite(module, imported)
        if (
            rewrite is None
            or rewrite.split
            or rewrite.bound
            or not qualname.startswith(f"{rewrite.old}.")
        ):
            return named[0].api
        after = rewrite.new + qualname[len(rewrite.old) :]
        written = ".".join([after, *attributes])
        if not self._canonical(written):
            return written  # `tf.keras`' own (its legacy backend): not the other binding's Keras
        again = self.matches(after, attributes)
        return next((p.api for p in again if not all(_use_shaped(r) for r in p.rules)), None)

    def _use_finding(
        self,
        *,
        planner: Planner,
        chain: Chain,
        node: ast.Name | ast.Attribute,
        rule: Rule,
        api: str,
        imported: ImportBinding,
        origin: Origin | None,
    ) -> Finding | None:
        module = planner.module
        if not _use_matches(rule, module, node):
            return None
        return _use(planner, chain, node, rule, api=api, origin=origin or module.origin(imported))

    def _moved_findings(
        self,
        *,
        planner: Planner,
        chain: Chain,
        node: ast.Name | ast.Attribute,
        found: _Match,
        imported: ImportBinding,
        origin: Origin | None,
    ) -> list[Finding]:
        """The call rules (keyword, `when`) of the name a `replace` fix moves a use to, on the same
        call: `keras.layers.core.Dense(output_dim=8)` is `keras.layers.Dense`'s Keras 1 argument
        problem too, reported (and fixed) before the module path is."""
        moved = []
        for rule in found.rules:
            to = rule.fix.to_for(found.api) if rule.fix.kind == "replace" else None
            for target in self._applicable.get(to, []) if to is not None else []:
                if _about_calls(target):
                    finding = self._use_finding(
                        planner=planner, chain=chain, node=node, rule=target, api=to or "",
                        imported=imported, origin=origin,
                    )  # fmt: skip
                    moved += [finding] if finding is not None else []
        return moved

    def _instance_finding(
        self, planner: Planner, chain: Chain, index: dict[str, list[tuple[str, Rule]]]
    ) -> Finding | None:
        """`opt.lr` / `model.optimizer.lr`: an attribute of an instance of a catalogued class."""
        module = planner.module
        for position, attribute in enumerate(chain.attributes, start=1):
            entries = index.get(attribute)
            if not entries:
                continue
            owner = self._instance_class(module, chain, position)
            if owner is None:
                continue
            owner_module = owner.rsplit(".", 1)[0]
            for class_name, rule in entries:
                if class_name.rsplit(".", 1)[0] != owner_module or not rule_applies(
                    rule, self.versions
                ):
                    continue
                node = chain.nodes[position]
                if _use_matches(rule, module, node):
                    return _use(
                        planner, chain, node, rule, api=f"{class_name}.{attribute}", origin=None
                    )
        return None

    def _keras_3(self, module: ParsedModule) -> bool:
        """Whether the module imports what is Keras 3 under the target: `keras`, or `tensorflow`
        (whose `tf.keras` is Keras 3 unless the environment keeps Keras 2)."""
        roots = ("keras",) if self.versions.legacy_keras else ("keras", "tensorflow")
        return any(
            imported.level == 0 and imported.target.split(".", 1)[0] in roots
            for imported, _ in module.bindings.imports
        )

    def _method_findings(
        self, planner: Planner, chain: Chain, index: dict[str, list[tuple[str, Rule]]]
    ) -> list[Finding]:
        """`model.fit_generator(...)`: the methods of `receiver: any` rules, on any receiver (each
        rule the call matches), unless the module defines a function of that name itself."""
        module = planner.module
        for position, attribute in enumerate(chain.attributes, start=1):
            entries = index.get(attribute)
            if not entries or attribute in module.defined_functions:
                continue
            node = chain.nodes[position]
            matched = [
                (class_name, rule)
                for class_name, rule in entries
                if rule_applies(rule, self.versions) and _use_matches(rule, module, node)
            ]
            # `model.output._keras_shape`: the rule about the read through `output` says more
            # than the one about any `_keras_shape`, and its advice is not to be fixed away.
            specific = [(c, r) for c, r in matched if r.when is not None and r.when.through]
            found = [
                _use(planner, chain, node, rule, api=f"{class_name}.{attribute}", origin=None)
                for class_name, rule in specific or matched
            ]
            if found:
                return found
        return []

    def _through_receivers(
        self, module: ParsedModule, index: dict[str, list[tuple[str, Rule]]]
    ) -> dict[_Receiver, Rule]:
        """The receivers a `through` rule matched in their scope: `model` of
        `model.output._keras_shape`, whose other `model.output` reads there share its problem."""
        found: dict[_Receiver, Rule] = {}
        for chain in module.bindings.chains:
            for position, attribute in enumerate(chain.attributes[1:], start=2):
                for _, rule in index.get(attribute, ()):
                    through = rule.when.through if rule.when is not None else frozenset()
                    if chain.attributes[position - 2] in through and rule_applies(
                        rule, self.versions
                    ):
                        receiver = (id(chain.scope), chain.base, *chain.attributes[: position - 2])
                        found.setdefault(receiver, rule)
        return found

    def _instance_class(self, module: ParsedModule, chain: Chain, position: int) -> str | None:
        """The class of the value `chain.nodes[position - 1]` holds, when it is knowable."""
        receiver = chain.nodes[position - 1]
        if isinstance(receiver, ast.Attribute):
            return RECEIVER_CLASSES.get(receiver.attr)
        value = module.bindings.assigned_value(chain)
        if not isinstance(value, ast.Call):
            return None
        callee = module.bindings.chain_ending_at.get(id(value.func))
        if callee is None:
            return None
        resolution = module.bindings.resolve(callee)
        if resolution is None:
            return None
        for imported in resolution.imports:
            if imported.tracked:
                name = ".".join([imported.target, *resolution.via, *callee.attributes])
                names = canonical_names(name, self.versions)
                if names:
                    return names[-1]
        return None

    def _exists(self, qualname: str) -> bool:
        """Whether the installed surface has the name (False when there is no surface)."""
        return self.surface is not None and self.surface.exists(qualname) is True

    def _missing_finding(
        self, module: ParsedModule, chain: Chain, resolution: Resolution
    ) -> Finding | None:
        """TFM801 for the first part of a chain the installed TensorFlow/Keras does not have."""
        assert self.surface is not None
        for imported in resolution.imports:
            if not imported.tracked:
                continue
            base = qualname_of(imported, chain, resolution.via)
            if imported.alias.name == "*" and self.surface.exists(base) is not True:
                return None  # a name the star import does not provide: not ours to judge
            names = [*base.split("."), *chain.attributes]
            first = base.count(".")
            for index in range(first, len(names)):
                qualname = ".".join(names[: index + 1])
                if not self._knowable(qualname):
                    return None
                exists = self.surface.exists(qualname)
                if exists is None:
                    return None
                if exists is False:
                    node = chain.nodes[max(index - first, 0)]
                    if _stored(node):
                        return None
                    return self._missing(module, node, qualname, module.segment(node))
            return None
        return None

    def _knowable(self, qualname: str) -> bool:
        """Whether the surface can tell that this name is missing.

        Only members of public modules are indexed completely: private packages
        (`tensorflow.python`, `keras.src`), private names and attributes of classes (protobuf
        enums, attributes set at run time) are unknown, never reported missing.
        """
        assert self.surface is not None
        parts = qualname.split(".")
        if any(part.startswith("_") for part in parts) or any(
            qualname.startswith(private) for private in _PRIVATE_PACKAGES
        ):
            return False
        parent = ".".join(parts[:-1])
        return len(parts) == 1 or self.surface.kind(parent) in ("module", None)

    def _missing(self, module: ParsedModule, node: ast.AST, qualname: str, name: str) -> Finding:
        assert self.surface is not None
        package = _PACKAGE_NAMES.get(qualname.split(".", 1)[0], qualname.split(".", 1)[0])
        root = qualname.split(".", 1)[0]
        if qualname.startswith("tensorflow.keras."):
            root = "tf_keras" if self.surface.legacy_keras else "keras"
            package = _PACKAGE_NAMES[root]
        version = self.surface.versions.get(root) or "?"
        suggestions = tuple(self.surface.closest(qualname))
        hint = f"; did you mean {', '.join(f'`{s}`' for s in suggestions)}?" if suggestions else ""
        return Finding(
            code=MISSING_API.code,
            message=f"`{name}` ({qualname}) does not exist in {package} {version} installed at "
            f"{self.surface.python}{hint}",
            severity="error",
            span=module.span(node),
            api=qualname,
            name=name,
            suggestions=suggestions,
        )

    def import_rewrite(self, module: ParsedModule, imported: ImportBinding) -> ImportRewrite | None:
        """How to point an import of a removed module, or of one inside it, at what replaces it:
        a replace rule maps it to one that has every imported name (`keras.backend.common` →
        `keras.backend` in `from keras.backend.common import epsilon`), or each name of
        `from M import a, b` has a rule of its own to the same name in a Keras module."""
        module_name = _imported_module(imported)
        if module_name is None or not imported.tracked:
            return None
        whole = self._module_rewrite(imported, module_name)
        if whole is not None:
            return whole
        parts = module_name.split(".")
        found = self.match(parts[0], parts[1:])
        rule = next((r for r in found.rules if r.fix.kind in ("replace", "compat-v1")), None) if (
            found
        ) else None  # fmt: skip
        if found is None or rule is None:
            return self._names_rewrite(module, imported, module_name)
        to = rule.fix.to_for(found.api)
        if to is None:
            return None
        new = to + module_name[len(".".join(parts[: found.index + 1])) :]
        if isinstance(imported.statement, ast.ImportFrom):
            for alias in imported.statement.names:
                specific = self._name_match(parts[0], [*parts[1:], alias.name], floor=len(parts))
                if specific is not None:  # a name of the old module with a rule of its own
                    return self._names_rewrite(module, imported, module_name)
            if self._absent(new, imported.statement) is not None:
                return None  # the rewrite would break an import that works
        return ImportRewrite(rule, module_name, new)

    def _module_rewrite(self, imported: ImportBinding, package: str) -> ImportRewrite | None:
        """`from keras import engine` where a replace rule names `keras.engine` itself and puts a
        top-level package in its place, which no `from` import can name: the statement becomes
        `import keras as engine`. (A module replaced by a submodule is left to the rules' other
        rewrites, which rename its uses.)"""
        statement = imported.statement
        if not isinstance(statement, ast.ImportFrom) or len(statement.names) != 1:
            return None
        full = f"{package}.{imported.alias.name}"
        root, *rest = full.split(".")
        found = self.match(root, rest)
        if found is None or found.api not in self._canonical(full):
            return None  # a name inside the module, or another module's rule
        rule = next((r for r in found.rules if r.fix.kind == "replace"), None)
        to = rule.fix.to_for(found.api) if rule is not None else None
        if rule is None or to is None or "." in to:
            return None
        return ImportRewrite(rule, full, to, bound=imported.name)

    def _absent(self, module_name: str, statement: ast.ImportFrom) -> str | None:
        """The first name of `from ... import a, b` that the installed `module_name` lacks."""
        if self.surface is None:
            return None
        for alias in statement.names:
            if self.surface.exists(f"{module_name}.{alias.name}") is False:
                return f"{module_name}.{alias.name}"
        return None

    def _absent_target(self, imported: ImportBinding) -> str | None:
        """The imported name a module rule's replacement lacks (`LSTMV1` from
        `tensorflow.python.keras.layers`: `tensorflow.keras.layers` has none)."""
        module_name = _imported_module(imported)
        if module_name is None or not isinstance(imported.statement, ast.ImportFrom):
            return None
        parts = module_name.split(".")
        found = self.match(parts[0], parts[1:])
        rule = next((r for r in found.rules if r.fix.kind == "replace"), None) if found else None
        to = rule.fix.to_for(found.api) if found and rule else None
        if found is None or to is None:
            return None
        new = to + module_name[len(".".join(parts[: found.index + 1])) :]
        return self._absent(new, imported.statement)

    def _names_rewrite(
        self, module: ParsedModule, imported: ImportBinding, module_name: str
    ) -> ImportRewrite | None:
        """The rewrite of `from M import a, b` when M has no rule but each name has a replace
        rule to the same name in a Keras module (`keras.layers.merge.add` → `keras.layers.add`):
        the statement then imports from that module, used or not, or from each name's module
        when they differ (`Layer` from `keras.layers`, `get_source_inputs` from `keras.utils`).

        Only Keras (and `from tensorflow import keras`): its public paths are modules, while
        TensorFlow's API paths are attributes that `from` cannot always import
        (`from tensorflow.distribute import cluster_resolver` fails)."""
        statement = imported.statement
        if not isinstance(statement, ast.ImportFrom) or statement.level:
            return None
        parts = module_name.split(".")
        targets: list[str] = []
        chosen: Rule | None = None
        for alias in statement.names:
            found = self.match(parts[0], [*parts[1:], alias.name], floor=len(parts))
            rule = next((r for r in found.rules if r.fix.kind == "replace"), None) if (
                found
            ) else None  # fmt: skip
            to = rule.fix.to_for(found.api) if found and rule else None
            if rule is None or to is None or to.rsplit(".", 1)[-1] != alias.name:
                return None
            targets.append(to.rsplit(".", 1)[0])
            if chosen is None or rule.fix_safety == "unsafe":
                chosen = rule
        keras_itself = set(targets) == {"tensorflow"} and all(
            alias.name == "keras" for alias in statement.names
        )  # `from tensorflow import keras`: the Keras package itself
        if chosen is None or (
            any(t.split(".", 1)[0] != "keras" for t in targets) and not keras_itself
        ):
            return None
        if len(set(targets)) == 1:
            return ImportRewrite(chosen, module_name, targets[0])
        # Split into one statement per module, on lines of their own: only a statement that
        # starts its line (after `try:` or `;` a second line would need another indentation).
        start = module.span(statement).start
        if module.lines.line_text(start.line)[: start.column].strip():
            return None
        return ImportRewrite(chosen, module_name, "", tuple(targets))

    def import_finding(
        self, module: ParsedModule, imported: ImportBinding, fixes: list[FixSafety]
    ) -> Finding | None:
        """The finding on an import of a removed API, given the fix safety of each use of it."""
        if not imported.tracked or imported.guard or imported.alias.name == "*":
            return None
        parts = imported.imported.split(".")
        # A keyword rule's API still exists, and so does one that only some calls match (`when`):
        # importing it is fine, only some calls are not.
        found = self._name_match(parts[0], parts[1:])
        rules = [r for r in found.rules if not _about_calls(r)] if found else []
        if (
            rules
            and self._exists(imported.imported)
            and all(_missing_when_removed(r) for r in rules)
        ):
            rules = []
        if found is None or not rules:
            if (
                self.surface is not None
                and self._knowable(imported.imported)
                and self.surface.exists(imported.imported) is False
            ):
                return self._missing(module, imported.alias, imported.imported, imported.imported)
            return None
        rule = rules[0]
        name = imported.alias.name
        if isinstance(imported.statement, ast.ImportFrom):
            name = f"{imported.statement.module}.{name}"
        safety: FixSafety = "none"
        note = ""
        rewrite = self.import_rewrite(module, imported)
        absent = None if rewrite is not None else self._absent_target(imported)
        if rewrite is not None:
            safety = rewrite.rule.fix_safety
        elif absent is not None:
            note = f"`{absent}` does not exist in the installed version"
        elif not fixes and rule.fix.fixable and imported.name in module_exports(module):
            note = "the module exports the name (`__all__`): nothing here uses it to rewrite"
        elif rule.fix.fixable and all(f != "none" for f in fixes):
            safety = "unsafe" if "unsafe" in fixes or rule.fix_safety == "unsafe" else "safe"
        elif rule.fix.fixable:
            note = "some uses of the imported name cannot be rewritten automatically"
        return Finding(
            code=rule.code,
            message=rule.render_message(name, found.api),
            severity=rule.severity,
            span=module.span(imported.alias),
            api=found.api,
            name=name,
            fix=safety,
            fix_note=note,
            deprecated=rule.status != "changed",
            on_import=True,
            rule=rule,
        )


_OTHER_BACKENDS = frozenset({"theano", "cntk"})
"""Keras 2's backends that are not TensorFlow: neither TensorFlow nor Keras 3 runs on them."""


def _stored(node: ast.AST) -> bool:
    """Whether a node is the attribute an assignment sets (`tf.layers = tf.keras.layers`, in
    tensorpack's compat module): that works whether or not the module still has it."""
    return isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)


def may_drop_unreachable(text: str) -> bool:
    """Whether code could hold a body whose findings `Analyzer.analyze` drops (a branch the
    target does not take, an `if hasattr(...)` guard): the words those tests need."""
    return any(word in text for word in _UNREACHABLE_WORDS)


_UNREACHABLE_WORDS = ("hasattr", "theano", "cntk", "version")


def _dead_bodies(
    module: ParsedModule, versions: Versions, project: ProjectResolver | None
) -> list[tuple[int, int]]:
    """The lines of `if` branches that never run on the target: the body of
    `if K.backend() == 'theano':` (or 'cntk'), Keras 2 code for another backend (Keras 3's
    `backend()` is never one of them), and the branch a `tf.__version__ < '2.0.0'` comparison
    (or one of `get_tf_version_tuple() <= (1, 12)`, below) does not take."""
    if not may_drop_unreachable(module.text):
        return []
    tensorflow = {
        imported.name
        for imported, _ in module.bindings.imports
        if imported.imported == "tensorflow" and isinstance(imported.statement, ast.Import)
    }
    found = []
    for node in ast.walk(module.tree):
        if not isinstance(node, ast.If):
            continue
        taken = (
            False
            if _tests_other_backend(node.test)
            else _version_test(node.test, tensorflow, versions)
        )
        if taken is None:
            taken = _version_tuple_test(node.test, module, versions, project)
        dead = node.body if taken is False else node.orelse if taken else []
        if dead:
            found.append((module.span(dead[0]).start.line, module.span(dead[-1]).end.line))
    return found


def _hasattr_guards(module: ParsedModule) -> list[tuple[int, int, str]]:
    """`if hasattr(K, 'symbolic'):` bodies (keras-bert's optimizer): their lines, and the name
    (`K.symbolic`) the body reads only when it exists."""
    if "hasattr" not in module.text:
        return []
    found = []
    for node in ast.walk(module.tree):
        if not isinstance(node, ast.If) or not node.body:
            continue
        tests = node.test.values if isinstance(node.test, ast.BoolOp) and isinstance(
            node.test.op, ast.And
        ) else [node.test]  # fmt: skip
        for test in tests:
            if (
                isinstance(test, ast.Call)
                and isinstance(test.func, ast.Name)
                and test.func.id == "hasattr"
                and len(test.args) == 2
                and isinstance(test.args[0], ast.Name | ast.Attribute)
                and isinstance(test.args[1], ast.Constant)
                and isinstance(test.args[1].value, str)
            ):
                name = f"{module.segment(test.args[0])}.{test.args[1].value}"
                start = module.span(node.body[0]).start.line
                found.append((start, module.span(node.body[-1]).end.line, name))
    return found


def _guarded(finding: Finding, guards: list[tuple[int, int, str]]) -> bool:
    """Whether a finding is about the name a `hasattr` test guards, in the body it guards."""
    return any(
        start <= finding.span.start.line <= end
        and (finding.name == name or finding.name.startswith(f"{name}."))
        for start, end, name in guards
    )


def _version_test(test: ast.expr, tensorflow: set[str], versions: Versions) -> bool | None:
    """What `tf.__version__ < '2.0.0'` (any comparison with a string literal) gives on the
    target TensorFlow, compared as the program compares it, as strings; None when unknown or
    when it depends on the patch release."""
    if not isinstance(test, ast.Compare) or len(test.ops) != 1:
        return None
    left, right = test.left, test.comparators[0]
    if not (
        isinstance(left, ast.Attribute)
        and left.attr == "__version__"
        and isinstance(left.value, ast.Name)
        and left.value.id in tensorflow
        and isinstance(right, ast.Constant)
        and isinstance(right.value, str)
    ):
        return None
    compare = _ORDERINGS.get(type(test.ops[0]))
    if compare is None:
        return None
    results = {compare(f"{versions.tensorflow}.{patch}", right.value) for patch in (0, 9)}
    return results.pop() if len(results) == 1 else None


def _version_tuple_test(
    test: ast.expr, module: ParsedModule, versions: Versions, project: ProjectResolver | None
) -> bool | None:
    """What `get_tf_version_tuple() <= (1, 12)` gives on the target TensorFlow, where the
    function (of this module, or imported from a project module) returns the version as a tuple
    of N ints (`version_parts`); None when unknown."""
    if not isinstance(test, ast.Compare) or len(test.ops) != 1:
        return None
    call, right = test.left, test.comparators[0]
    compare = _ORDERINGS.get(type(test.ops[0]))
    if not (
        compare is not None
        and isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and not call.args
        and not call.keywords
        and isinstance(right, ast.Tuple)
        and right.elts
        and all(isinstance(e, ast.Constant) and type(e.value) is int for e in right.elts)
    ):
        return None
    bound = module.bindings.module.bindings.get(call.func.id, [])
    if len(bound) != 1:
        return None
    imported = bound[0].imported
    if imported is None:
        parts = version_parts(module.whole, call.func.id)
    else:
        landed = project.imported_module(module, imported) if project is not None else None
        parts = version_parts(landed, imported.alias.name) if landed is not None else None
    target = versions.version("tensorflow")
    if parts is None or parts > len(target):
        return None
    literal = tuple(cast(ast.Constant, e).value for e in right.elts)
    return compare(target[:parts], literal)


_ORDERINGS: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}


def _tests_other_backend(test: ast.expr) -> bool:
    """`X.backend() == 'theano'` (either way round, `in ('theano', 'cntk')` too)."""
    if not isinstance(test, ast.Compare) or len(test.ops) != 1:
        return False
    left, right = test.left, test.comparators[0]
    if isinstance(left, ast.Constant):
        left, right = right, left
    called = (
        isinstance(left, ast.Call)
        and isinstance(left.func, ast.Attribute)
        and left.func.attr == "backend"
        and not left.args
        and not left.keywords
    )
    if not called:
        return False
    if isinstance(test.ops[0], ast.Eq) and isinstance(right, ast.Constant):
        return right.value in _OTHER_BACKENDS
    if isinstance(test.ops[0], ast.In) and isinstance(right, ast.Tuple | ast.List | ast.Set):
        values = [e.value for e in right.elts if isinstance(e, ast.Constant)]
        return len(values) == len(right.elts) and all(v in _OTHER_BACKENDS for v in values)
    return False


def module_exports(module: ParsedModule) -> set[str]:
    """The names a module lists in `__all__`."""
    names: set[str] = set()
    for statement in module.whole.tree.body:
        if (
            isinstance(statement, ast.Assign | ast.AugAssign)
            and any(
                isinstance(t, ast.Name) and t.id == "__all__"
                for t in (
                    statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                )
            )
            and isinstance(statement.value, ast.List | ast.Tuple)
        ):
            names.update(
                e.value
                for e in statement.value.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            )
    return names


_SWITCHED = (
    "the name is bound by imports that read it as different APIs (an if/else switch): a rewrite "
    "right for one would break the other"
)


_GRAPH_APIS = r"(?:compat\.v1\.)?(?:Session|InteractiveSession|placeholder|get_default_graph)\b"


def _graph_code(module: ParsedModule) -> bool:
    """Whether a module is TF 1.x graph-mode code: it calls `Session`, `placeholder` or
    `get_default_graph` of TensorFlow (or of `tf.compat.v1`), or disables eager execution.
    Read from the text, not from findings: those of unselected rules are not there."""
    if switches_graph_mode(module.text):
        return True
    aliases = {
        re.escape(imported.name)
        for imported, _ in module.bindings.imports
        if imported.imported in ("tensorflow", "tensorflow.compat.v1")
    }
    if not aliases:
        return False
    pattern = rf"(?<![\w.])(?:{'|'.join(sorted(aliases))})\.{_GRAPH_APIS}"
    return re.search(pattern, module.text) is not None


def safe_in_graph_code(module: ParsedModule, findings: list[Finding]) -> list[Finding]:
    """Findings whose unsafe fix is exact in graph-mode code made safe, in a file of such code."""
    candidates = [
        i
        for i, f in enumerate(findings)
        if f.fix == "unsafe" and f.rule is not None and f.rule.fix.safe_in_graph_code
    ]
    if not candidates:
        return findings
    if not _graph_code(module):
        return findings
    out = list(findings)
    for i in candidates:
        out[i] = replace(out[i], fix="safe")
    return out


_PACKAGE_NAMES = {"tensorflow": "TensorFlow", "keras": "Keras", "tf_keras": "tf_keras"}
_PRIVATE_PACKAGES = tuple(
    f"{package}." for package in (
        "tensorflow.python", "tensorflow.core", "tensorflow.compiler", "tensorflow.tsl",
        "tensorflow.lite.python", "tensorflow.tools", "tensorflow.include", "keras.src",
        "tf_keras.src", "tensorflow.contrib",
    )
)  # fmt: skip
"""Packages the surface does not walk: names under them are unknown, not missing."""


def _use(
    planner: Planner,
    chain: Chain,
    node: ast.Name | ast.Attribute,
    rule: Rule,
    *,
    api: str,
    origin: Origin | None,
) -> Finding:
    """The finding of a rule on one use of its API (on the offending keyword, for keyword rules),
    with its fix planned."""
    module = planner.module
    span = module.span(node)
    call = module.bindings.calls.get(id(node))
    if rule.fix.kind == "keyword" and call is not None:
        offending = [k for k in call.keywords if k.arg in rule.fix.keywords]
        if offending:
            span = module.span(offending[0])
    planned = planner.use(rule, node, chain.scope, api)
    name = module.segment(node)
    return Finding(
        code=rule.code,
        message=rule.render_message(name, api),
        severity=rule.severity,
        span=span,
        api=api,
        name=name,
        fix=planned.safety,
        fix_note=planned.note,
        deprecated=rule.status != "changed",
        origin=origin,
        rule=rule,
        plan=planned.plan,
    )


_Receiver = tuple[object, ...]
"""A receiver in one scope: the scope's id, the base name, the attributes after it."""


def _receiver_findings(
    planner: Planner, chain: Chain, receivers: dict[_Receiver, Rule]
) -> list[Finding]:
    """`hasattr(model.output, ...)` where `model.output._keras_shape` is read in the same scope:
    the `through` rule's finding on the plain read too."""
    for position, attribute in enumerate(chain.attributes, start=1):
        rule = receivers.get((id(chain.scope), chain.base, *chain.attributes[: position - 1]))
        if rule is not None and rule.when is not None and attribute in rule.when.through:
            node = chain.nodes[position]
            return [_use(planner, chain, node, rule, api=f"keras.Model.{attribute}", origin=None)]
    return []


def _use_matches(rule: Rule, module: ParsedModule, node: ast.AST) -> bool:
    """Whether a use is one the rule is about: its `when`, and for keyword rules a call that
    passes a renamed keyword or more positional arguments than stay in place."""
    call = module.bindings.calls.get(id(node))
    if rule.when is not None and rule.when.through:
        receiver = node.value if isinstance(node, ast.Attribute) else None
        return isinstance(receiver, ast.Attribute) and receiver.attr in rule.when.through
    if rule.when is not None and rule.when.passed:
        return id(node) in module.bindings.passed
    if rule.when is not None and rule.when.subclassed:
        subclass = module.bindings.bases.get(id(node))
        if subclass is None:
            return False
        methods = _methods(subclass)
        return bool(methods & rule.when.subclassed) and rule.fix.adds not in methods
    if rule.when is not None and rule.when.eager_code:
        return not _graph_code(module.whole)
    if rule.when is not None and not _call_matches(call, rule.when):
        return False
    if rule.fix.kind != "keyword":
        return True
    if call is None:
        return False
    offending = any(k.arg in rule.fix.keywords for k in call.keywords)
    moved = bool(rule.fix.positional) and len(call.args) > rule.fix.keep
    return offending or moved


def _use_shaped(rule: Rule) -> bool:
    """Whether the rule is about one kind of use of an API that still exists (passed on as a
    value, subclassed), not about the name: imports of the name and what a name reads as
    under several bindings do not see it."""
    return rule.when is not None and (rule.when.passed or bool(rule.when.subclassed))


def _methods(subclass: ast.ClassDef) -> set[str]:
    """The names of the methods a class statement defines."""
    return {
        statement.name
        for statement in subclass.body
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def _super_call_findings(module: ParsedModule, base: ast.AST, finding: Finding) -> list[Finding]:
    """For a `subclassed` rule's finding on a class's base, the same finding on each of the
    class's `super().NAME(...)` calls that the rule's `super-calls` names: where a subclass of
    an API that changed fails first (Keras 3's `Optimizer.__init__` requires `learning_rate`)."""
    subclass = module.bindings.bases.get(id(base))
    rule = finding.rule
    if subclass is None or rule is None or rule.when is None or not rule.when.super_calls:
        return []
    found = []
    for statement in subclass.body:
        if not isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(statement):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in rule.when.super_calls
                and isinstance(node.func.value, ast.Call)
                and isinstance(node.func.value.func, ast.Name)
                and node.func.value.func.id == "super"
            ):
                name = module.segment(node.func)
                message = rule.render_message(name, finding.api)
                found.append(
                    replace(finding, span=module.span(node), name=name, message=message, plan=None)
                )
    return found


def _call_matches(call: ast.Call | None, when: When) -> bool:
    """Whether a call passes one of the `when` keywords or enough positional arguments, and a
    string first when `first-argument` asks for one, int literals where `numbers` does."""
    if call is None:
        return False
    if when.first_argument == "string" and not (
        call.args and isinstance(call.args[0], ast.Constant | ast.JoinedStr)
        and isinstance(getattr(call.args[0], "value", ""), str)
    ):  # fmt: skip
        return False
    if any(index >= len(call.args) or not _int_literal(call.args[index]) for index in when.numbers):
        return False
    if not when.keywords and when.positional is None:
        return True
    if when.keywords and any(k.arg in when.keywords for k in call.keywords):
        return True
    return when.positional is not None and len(call.args) >= when.positional


def _int_literal(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is int


def _about_calls(rule: Rule) -> bool:
    """Whether a rule is about some calls of its API only (keyword arguments, `when`)."""
    return rule.fix.kind == "keyword" or rule.when is not None


def _missing_when_removed(rule: Rule) -> bool:
    """Whether the rule says its API is gone (so an installed API proves it does not apply).

    Keyword rules and `changed` or `deprecated` APIs are about names that still exist.
    """
    return rule.status in ("removed", "renamed") and rule.fix.kind != "keyword"


def qualname_of(imported: ImportBinding, chain: Chain, via: tuple[str, ...]) -> str:
    """The qualified name a chain's base refers to through a TF/Keras import binding."""
    if imported.alias.name == "*":
        return ".".join([imported.target, chain.base, *via])
    return ".".join([imported.target, *via])


def _imported_module(imported: ImportBinding) -> str | None:
    """The module an import statement names (`a.b` in `from a.b import c` / `import a.b as d`)."""
    statement = imported.statement
    if isinstance(statement, ast.ImportFrom):
        return statement.module if statement.level == 0 else None
    return imported.alias.name


def is_ignored(module: ParsedModule, finding: Finding) -> bool:
    """Whether a `# tfmend: ignore` comment on the finding's line covers it."""
    codes = module.ignored_codes(finding.span.start.line)
    return codes is not None and (not codes or finding.code in codes)
