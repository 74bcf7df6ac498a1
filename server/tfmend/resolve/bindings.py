"""A fast scope walker over stdlib `ast`: what each name in a file is bound to, and its uses."""

from __future__ import annotations

import ast
import builtins
from collections import ChainMap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

FRAMEWORK_ROOTS = frozenset({"keras", "tensorflow", "tf_keras"})
"""The packages whose code tfmend migrates: a file importing one of them is TensorFlow code."""
TRACKED_ROOTS = FRAMEWORK_ROOTS | {"collections"}
"""Top-level packages whose names tfmend reasons about: the frameworks, and the standard library
module whose aliases Python 3.10 removed (`collections.Mapping`), which legacy TensorFlow code
imports."""

_BUILTINS = frozenset(dir(builtins))
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
_EXITS = frozenset({"exit", "quit"})
_BINDING_STATEMENTS = (
    ast.Assign,
    ast.AnnAssign,
    ast.AugAssign,
    ast.Import,
    ast.ImportFrom,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.For,
    ast.AsyncFor,
)
_LEAVES = frozenset(
    kind
    for base in (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)
    for kind in base.__subclasses__()
)
"""Node types without children that matter to the walk."""
_MAX_ALIAS_DEPTH = 4
_INJECTOR = "get_submodules_from_kwargs"
_INJECTED = (None, "layers", "models", "utils")
"""The Keras modules keras_applications' `get_submodules_from_kwargs` returns, in order: the
caller's `backend=`, `layers=`, `models=` and `utils=`. The backend is not read as
`keras.backend`: TFM6000 has the caller pass `tf.keras.backend`, which has the Keras 2
functions the library calls, and Keras 3's `layers`, `models` and `utils` are those of both."""
_LATE = 1 << 30
"""Group of bindings made by `global` statements inside functions: visible after module load."""

Guard = Literal["", "try", "except"]


@dataclass(eq=False)
class ImportBinding:
    """A name bound by an import statement, with the textual target it refers to."""

    name: str
    """The bound name: `K` for `from keras import backend as K`, `tf` for `import tensorflow`."""
    target: str
    """What the name refers to: `keras.backend`; for relative imports the part after the dots."""
    level: int
    """Dots of a relative import (0 for absolute)."""
    statement: ast.Import | ast.ImportFrom
    alias: ast.alias
    guard: Guard
    """`try` inside a try body whose ImportError handler provides a fallback; `except` inside it."""

    @property
    def tracked(self) -> bool:
        """Whether the target is in a package tfmend has rules for (TRACKED_ROOTS)."""
        return self.level == 0 and self.target.split(".", 1)[0] in TRACKED_ROOTS

    @property
    def framework(self) -> bool:
        """Whether the target is in TensorFlow, Keras or tf_keras (not the standard library)."""
        return self.level == 0 and self.target.split(".", 1)[0] in FRAMEWORK_ROOTS

    @property
    def imported(self) -> str:
        """The full name the statement imports (`a.b.c` for `import a.b.c`, which binds `a`)."""
        if isinstance(self.statement, ast.Import):
            return self.alias.name
        return self.target


@dataclass(eq=False)
class Binding:
    """One binding of a name in a scope: by an import, or by anything else."""

    group: int
    """Index of the statement of the scope's body the binding is in (-1 for parameters)."""
    imported: ImportBinding | None = None
    value: ast.expr | None = None
    """The value of a plain `name = value` assignment (to know what class an instance has)."""
    in_handler: bool = False
    """Bound in an `except` handler: a fallback for when the code above it failed."""


@dataclass(eq=False)
class Scope:
    """A module, class, function or comprehension scope."""

    kind: Literal["module", "class", "function", "comprehension"]
    parent: Scope | None
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    globals: set[str] = field(default_factory=set)
    nonlocals: set[str] = field(default_factory=set)
    stars: list[ImportBinding] = field(default_factory=list)
    group: int = 0
    """Index of the statement of the parent's body that opens this scope (a class body runs
    there: names it uses from the parent are those bound before it)."""

    def bind(self, name: str, binding: Binding) -> None:
        """Record a binding of `name` here."""
        self.bindings.setdefault(name, []).append(binding)


class Chain:
    """A use of a name and its attribute chain: `K.tensorflow_backend._get_available_gpus`."""

    __slots__ = ("attributes", "base", "group", "nodes", "scope")

    def __init__(
        self, nodes: list[ast.Name | ast.Attribute], scope: Scope, group: int, base: str
    ) -> None:
        self.nodes = nodes
        """The base name, then each attribute from the inside out."""
        self.scope = scope
        self.group = group
        """Index of the statement of its scope's body the use is in."""
        self.base = base
        """The base name."""
        self.attributes: list[str] = [n.attr for n in nodes[1:] if isinstance(n, ast.Attribute)]
        """The attribute names after the base."""


@dataclass
class Resolution:
    """What a base name refers to at one use."""

    imports: list[ImportBinding]
    """Import bindings that may be in effect (several for try/except and if/else shims)."""
    shadowed: bool
    """Whether a non-import binding of the same name may be in effect too."""
    star: bool = False
    """Whether the name comes from a star import."""
    via: tuple[str, ...] = ()
    """Attributes between the import and the name: `K = keras.backend` reaches K via `backend`."""


class FileBindings:
    """All scopes, imports and name uses of one module."""

    def __init__(self, tree: ast.Module, *, module_only: bool = False) -> None:
        """With `module_only`, function and class bodies are not walked: enough for the module
        scope (what a file exports) when no `global` statement binds names there from them."""
        self.module = Scope("module", None)
        self.scopes: list[Scope] = [self.module]
        self.imports: list[tuple[ImportBinding, Scope]] = []
        self.chains: list[Chain] = []
        self.calls: dict[int, ast.Call] = {}
        """Calls by the id of their callee node."""
        self.decorators: set[int] = set()
        """Ids of decorator expressions."""
        self.compared: dict[int, ast.Compare] = {}
        """Comparisons by the id of each operand."""
        self.passed: set[int] = set()
        """Ids of expressions passed on as values: call arguments and dict display values."""
        self.bases: dict[int, ast.ClassDef] = {}
        """Class statements by the id of each of their base expressions."""
        self.statement_chains: list[int] = []
        """Index into `chains` where each top-level statement's uses start."""
        self.injected: set[str] = set()
        """Names bound to Keras modules by `get_submodules_from_kwargs` (no import statement)."""
        _Walker(self, module_only).walk_module(tree)

    def interesting_names(self) -> set[str]:
        """Names bound by imports anywhere in the file, or assigned from such names."""
        names = {imp.name for imp, _ in self.imports} | self.injected
        aliases = [
            (name, _base_name(binding.value))
            for scope in self.scopes
            for name, bindings in scope.bindings.items()
            for binding in bindings
            if isinstance(binding.value, ast.Name | ast.Attribute)
        ]
        changed = True
        while changed:
            changed = False
            for name, base in aliases:
                if base in names and name not in names:
                    names.add(name)
                    changed = True
        return names

    def resolve(self, chain: Chain, depth: int = 0) -> Resolution | None:
        """The import bindings a chain's base name may refer to, or None if it is not imported.

        A name assigned from an imported name (`K = keras.backend`) resolves through it.
        """
        name = chain.base
        scope: Scope | None = chain.scope
        group: int | None = chain.group
        skip_classes = False
        while scope is not None:
            if scope.kind == "class" and skip_classes:
                scope = scope.parent
                continue
            if name in scope.globals and scope is not self.module:
                scope, group = self.module, None
                continue
            found = scope.bindings.get(name)
            if found:
                selected = _select(found, group)
                if selected is None and depth < _MAX_ALIAS_DEPTH:
                    return self._alias(_last_group(found, group), depth)
                return selected
            if scope.kind == "function":
                # The function body runs later: the enclosing scopes are in their final state,
                # and class bodies are not visible from inside methods.
                group, skip_classes = None, True
            elif scope.kind == "class" and group is not None:
                group = scope.group  # the class body runs where the class statement is
            scope = scope.parent
        if name in _BUILTINS or not self.module.stars:
            return None
        return Resolution(imports=list(self.module.stars), shadowed=False, star=True)

    def _alias(self, bindings: list[Binding], depth: int) -> Resolution | None:
        """Resolve `name = module.attribute` assignments to the import they start from: the one
        in effect, or those of the branches of one statement when all reach the same name
        (`if v2: tfv1 = tf.compat.v1` / `else: tfv1 = tf.compat.v1`). An assignment in an
        `except` handler is the fallback for another version, not what the installed one runs."""
        chosen = [b for b in bindings if not b.in_handler] or bindings
        found = [self._assigned(b, depth) for b in chosen]
        first = found[0] if found else None
        if first is None or any(f is None or _reached(f) != _reached(first) for f in found):
            return None
        return first

    def _assigned(self, binding: Binding, depth: int) -> Resolution | None:
        """What a `name = module.attribute` assignment refers to through an import."""
        if not isinstance(binding.value, ast.Name | ast.Attribute):
            return None
        source = self.chain_ending_at.get(id(binding.value))
        if source is None:
            return None
        found = self.resolve(source, depth + 1)
        if found is None:
            return None
        return Resolution(found.imports, found.shadowed, found.star,
                          (*found.via, *source.attributes))  # fmt: skip

    def assigned_value(self, chain: Chain) -> ast.expr | None:
        """The value assigned to a chain's base name, when one plain assignment binds it."""
        scope: Scope | None = chain.scope
        group: int | None = chain.group
        while scope is not None:
            found = scope.bindings.get(chain.base)
            if found:
                selected = _last_group(found, group)
                if len(selected) == 1 and selected[0].imported is None:
                    return selected[0].value
                return None
            if scope.kind == "function":
                group = None
            elif scope.kind == "class" and group is not None:
                group = scope.group
            scope = scope.parent
        return None

    @cached_property
    def chain_ending_at(self) -> Mapping[int, Chain]:
        """Chains by the id of their outermost node."""
        return {id(chain.nodes[-1]): chain for chain in self.chains}

    def module_resolution(self, name: str) -> Resolution | None:
        """Import bindings of `name` in effect at the end of the module (for re-exports), through
        an assignment too (`backend = keras.backend`)."""
        found = self.module.bindings.get(name)
        if not found:
            return None
        return _select(found, None) or self._alias(_last_group(found, None), 0)


class PartBindings(FileBindings):
    """The bindings of some top-level statements walked in the context of a whole file's module
    scope, which they leave as it is: what they bind at module level is recorded per statement
    (`module_binds`), for the caller to check it binds the same as the statements they replace."""

    def __init__(self, whole: FileBindings, statements: list[ast.stmt], groups: list[int]) -> None:
        self.whole = whole
        self.module = whole.module
        self.scopes = [whole.module]
        self.imports = []
        self.chains = []
        self.calls = {}
        self.decorators = set()
        self.compared = {}
        self.passed = set()
        self.bases = {}
        self.statement_chains = []
        self.injected = whole.injected
        self.module_binds: list[list[tuple[str, Binding]]] = []
        """What each statement binds in the module scope (not applied to it)."""
        self.statement_imports: list[int] = []
        """How many imports each statement makes, in any scope."""
        walker = _Walker(self)
        for statement, group in zip(statements, groups, strict=True):
            self.statement_chains.append(len(self.chains))
            before = len(self.imports)
            walker.record = []
            walker.group = group
            walker.visit(statement)
            self.module_binds.append(walker.record)
            self.statement_imports.append(len(self.imports) - before)
        self.new_imports = self.imports
        self.imports = whole.imports

    @cached_property
    def chain_ending_at(self) -> Mapping[int, Chain]:
        """The statements' chains, then the whole file's (module-level values are the file's)."""
        own = {id(chain.nodes[-1]): chain for chain in self.chains}
        return ChainMap(own, self.whole.chain_ending_at)  # type: ignore[arg-type]


def binding_signature(binds: list[tuple[str, Binding]]) -> tuple[object, ...]:
    """What module-level bindings mean to the rest of a file, without positions."""
    return tuple(
        (
            name,
            binding.group == _LATE,
            binding.imported is not None,
            binding.in_handler,
            ast.dump(binding.value) if binding.value is not None else None,
        )
        for name, binding in binds
    )


def _reached(resolution: Resolution) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The import targets and attributes a resolution reaches, to compare two of them."""
    return tuple(i.target for i in resolution.imports), tuple(resolution.via)


def _base_name(node: ast.expr | None) -> str | None:
    """The name an attribute chain starts from."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _last_group(bindings: list[Binding], group: int | None) -> list[Binding]:
    """The bindings in effect at `group` (None: at the end): those of the last statement."""
    if group is None:
        last = max(b.group for b in bindings)
    else:
        earlier = [b.group for b in bindings if b.group <= group]
        if not earlier:
            return []
        last = max(earlier)
    return [b for b in bindings if b.group == last]


def _select(bindings: list[Binding], group: int | None) -> Resolution | None:
    current = _last_group(bindings, group)
    imports = [b.imported for b in current if b.imported is not None]
    if not imports:
        return None
    return Resolution(imports=imports, shadowed=len(imports) != len(current))


def _handles_import_error(handler: ast.ExceptHandler) -> bool:
    kind = handler.type
    if kind is None:
        return True
    names = kind.elts if isinstance(kind, ast.Tuple) else [kind]
    return any(isinstance(n, ast.Name) and n.id in _IMPORT_ERRORS for n in names)


def _stops(statement: ast.stmt) -> bool:
    """Whether a statement raises or ends the program (`raise`, `sys.exit()`, `exit()`...)."""
    if isinstance(statement, ast.Raise):
        return True
    if not isinstance(statement, ast.Expr) or not isinstance(statement.value, ast.Call):
        return False
    func = statement.value.func
    if isinstance(func, ast.Name):
        return func.id in _EXITS
    return isinstance(func, ast.Attribute) and func.attr in {"exit", "_exit", "abort"}


def _binds(node: ast.AST) -> bool:
    """Whether a statement binds a name in the handler's scope (nested scopes do not count)."""
    if isinstance(node, _BINDING_STATEMENTS):
        return True
    if isinstance(node, (ast.Lambda, ast.GeneratorExp, ast.ListComp, ast.SetComp, ast.DictComp)):
        return False
    if isinstance(node, ast.NamedExpr) or (isinstance(node, ast.withitem) and node.optional_vars):
        return True
    return any(_binds(child) for child in ast.iter_child_nodes(node))


def _provides_fallback(handler: ast.ExceptHandler) -> bool:
    """An ImportError handler that binds a name (the fallback or a flag) and does not stop.

    A handler that re-raises, exits or only prints leaves the program without the name: the
    import it guards is what runs, so it is no compatibility shim.
    """
    if not _handles_import_error(handler) or not handler.body or _stops(handler.body[-1]):
        return False
    return any(_binds(statement) for statement in handler.body)


class _Walker:
    """Builds scopes and chains in one pass; resolution happens afterwards, when all are known."""

    def __init__(self, out: FileBindings, module_only: bool = False) -> None:
        self.out = out
        self.module_only = module_only
        """Skip function and class bodies (FileBindings' module_only)."""
        self.scope = out.module
        self.group = 0
        self.guard: Guard = ""
        self.record: list[tuple[str, Binding]] | None = None
        """Where module-level bindings go instead of the module scope (PartBindings)."""
        self.handlers = 0
        """How many `except` handlers the walk is inside."""

    # -- structure -------------------------------------------------------------------------------
    def walk_module(self, tree: ast.Module) -> None:
        for index, statement in enumerate(tree.body):
            self.out.statement_chains.append(len(self.out.chains))
            self.group = index
            self.visit(statement)

    def body(self, statements: list[ast.stmt]) -> None:
        for index, statement in enumerate(statements):
            self.group = index
            self.visit(statement)

    def in_scope(self, scope: Scope) -> _ScopeContext:
        return _ScopeContext(self, scope)

    def visit(self, node: ast.AST) -> None:
        kind = type(node)
        method = _DISPATCH.get(kind)
        if method is None:
            # Functions of the class, not bound methods: a walker must not refer to itself, or
            # it (and the tree it holds) would wait for the cyclic collector to be freed.
            method = getattr(_Walker, f"visit_{kind.__name__}", None) or _Walker.generic
            _DISPATCH[kind] = method
        method(self, node)

    def generic(self, node: ast.AST) -> None:
        # ast.iter_child_nodes, without its generator and with leaf nodes (contexts, operators)
        # skipped: this loop runs for every node of the file.
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST) and type(item) not in _LEAVES:
                        self.visit(item)
            elif isinstance(value, ast.AST) and type(value) not in _LEAVES:
                self.visit(value)

    def visit_list(self, nodes: list[ast.expr] | list[ast.stmt]) -> None:
        for node in nodes:
            self.visit(node)

    # -- bindings --------------------------------------------------------------------------------
    def bind(
        self, name: str, imported: ImportBinding | None = None, value: ast.expr | None = None
    ) -> None:
        scope = self.scope
        group = self.group
        if name in scope.globals and scope is not self.out.module:
            scope, group = self.out.module, _LATE
        binding = Binding(group, imported, value, in_handler=self.handlers > 0)
        if self.record is not None and scope is self.out.module:
            self.record.append((name, binding))
            return
        scope.bind(name, binding)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                name, target = alias.asname, alias.name
            else:
                name = target = alias.name.split(".", 1)[0]
            self.add_import(ImportBinding(name, target, 0, node, alias, self.guard))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        for alias in node.names:
            target = f"{module}.{alias.name}" if module else alias.name
            if alias.name == "*":
                star = ImportBinding("*", module, node.level, node, alias, self.guard)
                self.out.imports.append((star, self.scope))
                if self.scope is self.out.module and self.record is None:
                    self.out.module.stars.append(star)
                continue
            name = alias.asname or alias.name
            self.add_import(ImportBinding(name, target, node.level, node, alias, self.guard))

    def add_import(self, imported: ImportBinding) -> None:
        self.out.imports.append((imported, self.scope))
        self.bind(imported.name, imported)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self.out.chains.append(Chain([node], self.scope, self.group, node.id))
        else:
            self.bind(node.id)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        nodes: list[ast.Name | ast.Attribute] = []
        current: ast.expr = node
        while isinstance(current, ast.Attribute):
            nodes.append(current)
            current = current.value
        if isinstance(current, ast.Name) and isinstance(current.ctx, ast.Load):
            nodes.append(current)
            nodes.reverse()
            self.out.chains.append(Chain(nodes, self.scope, self.group, current.id))
        else:
            self.visit(current)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            self.bind(node.targets[0].id, value=node.value)
        elif not self.injected(node):
            self.visit_list(node.targets)

    def injected(self, node: ast.Assign) -> bool:
        """Bind `backend, layers, models, utils = get_submodules_from_kwargs(kwargs)` (imported
        from keras_applications) as Keras' modules of those names: the function returns the
        modules its caller passed as keywords of those names, Keras' own by its contract."""
        target, value = node.targets[0], node.value
        if not (
            len(node.targets) == 1
            and isinstance(target, ast.Tuple)
            and len(target.elts) == len(_INJECTED)
            and isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id == _INJECTOR
            and self.imports_injector()
        ):
            return False
        for element, submodule in zip(target.elts, _INJECTED, strict=True):
            if not isinstance(element, ast.Name) or submodule is None:
                self.visit(element)
                continue
            # A `from keras import <submodule>` of its own, placed on the target name: what the
            # name reads as, with no import statement in the file to rewrite or remove.
            alias = ast.alias(submodule, element.id)
            ast.copy_location(alias, element)
            statement = ast.ImportFrom("keras", [alias], 0)
            ast.copy_location(statement, node)
            imported = ImportBinding(element.id, f"keras.{submodule}", 0, statement, alias, "")
            self.bind(element.id, imported)
            self.out.injected.add(element.id)
        return True

    def imports_injector(self) -> bool:
        """Whether the module imports `get_submodules_from_kwargs` from keras_applications
        (absolutely, or relatively from inside a package: keras_applications' own modules)."""
        found = self.out.module.bindings.get(_INJECTOR, [])
        return any(
            b.imported is not None
            and b.imported.alias.name == _INJECTOR
            and (b.imported.level > 0 or b.imported.target == f"keras_applications.{_INJECTOR}")
            for b in found
        )

    def visit_BinOp(self, node: ast.BinOp) -> None:
        # Long `a + b + c + ...` chains nest to the left: walk that spine in a loop, not by
        # recursion, so generated code with hundreds of terms does not exhaust the stack.
        rights: list[ast.expr] = []
        current: ast.expr = node
        while isinstance(current, ast.BinOp):
            rights.append(current.right)
            current = current.left
        self.visit(current)
        for right in reversed(rights):
            self.visit(right)

    def visit_Call(self, node: ast.Call) -> None:
        self.out.calls[id(node.func)] = node
        self.out.passed.update(id(value) for value in node.args)
        self.out.passed.update(id(keyword.value) for keyword in node.keywords)
        self.generic(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        self.out.passed.update(id(value) for value in node.values)
        self.generic(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        for operand in (node.left, *node.comparators):
            self.out.compared[id(operand)] = node
        self.generic(node)

    def visit_Global(self, node: ast.Global) -> None:
        if self.record is None or self.scope is not self.out.module:
            self.scope.globals.update(node.names)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        self.scope.nonlocals.update(node.names)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.type is not None:
            self.visit(node.type)
        if node.name:
            self.bind(node.name)
        self.handlers += 1
        self.visit_list(node.body)
        self.handlers -= 1

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        if node.pattern is not None:
            self.visit(node.pattern)
        if node.name:
            self.bind(node.name)

    def visit_MatchStar(self, node: ast.MatchStar) -> None:
        if node.name:
            self.bind(node.name)

    def visit_MatchMapping(self, node: ast.MatchMapping) -> None:
        self.visit_list(node.keys)
        for pattern in node.patterns:
            self.visit(pattern)
        if node.rest:
            self.bind(node.rest)

    def visit_Try(self, node: ast.Try) -> None:
        outer = self.guard
        guarded = any(_provides_fallback(h) for h in node.handlers)
        self.guard = "try" if guarded else outer
        self.visit_list(node.body)
        for handler in node.handlers:
            self.guard = "except" if _provides_fallback(handler) else outer
            self.visit(handler)
        self.guard = outer
        self.visit_list(node.orelse)
        self.visit_list(node.finalbody)

    visit_TryStar = visit_Try

    # -- scopes ----------------------------------------------------------------------------------
    def arguments(self, args: ast.arguments) -> None:
        """Defaults and annotations run in the enclosing scope."""
        self.visit_list(list(args.defaults))
        self.visit_list([d for d in args.kw_defaults if d is not None])
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is not None and arg.annotation is not None:
                self.visit(arg.annotation)

    def bind_parameters(self, args: ast.arguments) -> None:
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is not None:
                self.scope.bind(arg.arg, Binding(-1))

    def decorated(self, decorators: list[ast.expr]) -> None:
        self.out.decorators.update(id(d) for d in decorators)
        self.visit_list(decorators)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.decorated(node.decorator_list)
        self.arguments(node.args)
        if node.returns is not None:
            self.visit(node.returns)
        self.bind(node.name)
        if self.module_only:
            return
        with self.in_scope(Scope("function", self.scope)):
            self.bind_parameters(node.args)
            self.body(node.body)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self.arguments(node.args)
        if self.module_only:
            return
        with self.in_scope(Scope("function", self.scope)):
            self.bind_parameters(node.args)
            self.visit(node.body)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.decorated(node.decorator_list)
        self.out.bases.update((id(base), node) for base in node.bases)
        self.visit_list(node.bases)
        for keyword in node.keywords:
            self.visit(keyword.value)
        self.bind(node.name)
        if self.module_only:
            return
        with self.in_scope(Scope("class", self.scope, group=self.group)):
            self.body(node.body)

    def comprehension(
        self,
        node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp,
        elements: list[ast.expr],
    ) -> None:
        self.visit(node.generators[0].iter)
        with self.in_scope(Scope("comprehension", self.scope)):
            for index, generator in enumerate(node.generators):
                if index:
                    self.visit(generator.iter)
                self.visit(generator.target)
                self.visit_list(generator.ifs)
            self.visit_list(elements)

    def visit_ListComp(self, node: ast.ListComp) -> None:
        self.comprehension(node, [node.elt])

    def visit_SetComp(self, node: ast.SetComp) -> None:
        self.comprehension(node, [node.elt])

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> None:
        self.comprehension(node, [node.elt])

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self.comprehension(node, [node.key, node.value])


_DISPATCH: dict[type[ast.AST], Callable[[_Walker, Any], None]] = {}
"""The visit method of each node type, looked up once per process."""


class _ScopeContext:
    """Enters a nested scope and restores the enclosing one afterwards."""

    def __init__(self, walker: _Walker, scope: Scope) -> None:
        self.walker = walker
        self.scope = scope
        self.saved: tuple[Scope, int] = (walker.scope, walker.group)

    def __enter__(self) -> None:
        self.walker.scope = self.scope
        self.walker.out.scopes.append(self.scope)

    def __exit__(self, *exc: object) -> None:
        self.walker.scope, self.walker.group = self.saved
