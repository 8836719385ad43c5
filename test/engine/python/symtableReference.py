"""The reference for test/engine/pythonAccuracy.test.ts: what CPython's own compiler (`ast` +
`symtable`) says about each Python file named on the command line, in the shape of the front
end's `pythonScopeReport` (engine/lang/python/scopeReport.ts).

Prints one JSON object per file, one per line, in argument order:
  {"path": ..., "encoding": ..., "decls": [...], "imports": [...], "functions": [{"name", "line", "globals"}]}
or {"path": ..., "error": "..."} when CPython cannot compile the file.

- decls: module-level names bound by anything but an import (symtable's `is_assigned()` on the
  module table, plus `:=` targets inside module-level comprehensions, which symtable records as
  declared global rather than assigned).
- imports: module-level names bound by an import (`is_imported()`).
- functions: every `def` (name, line of the `def` keyword) with the names its body uses from the
  global scope (`is_global()` symbols, implicit or declared), its lambdas and comprehensions
  included, nested `def`s and classes excluded.

Some definitions differ from plain symtable and are aligned here. Three by rewriting the source
before symtable reads it (each rewritten statement becomes `pass`, so line numbers do not move):
- `from __future__ import ...` is a compiler directive, not an import the front end lists; and
  under `from __future__ import annotations` Python 3.11's symtable skips annotations, while the
  front end counts a name in an annotation as a use (typing.get_type_hints and dataclasses do
  evaluate them).
- An annotation without a value (`x: int`) binds nothing at run time: it is no declaration.
- Imports under `if TYPE_CHECKING:` are type-only: the front end does not list them.
And two in reading symtable's answer:
- A function that reads the name `super` gets an implicit use of `__class__` (for zero-argument
  `super()`); outside a class that resolves to the global scope, but no code reads a global
  `__class__`, and the front end reports only names the code names.
- Python 3.11's `Symbol.is_global()` takes any table named "top" for the module
  (`module_scope = (self._table.name == "top")` in Lib/symtable.py), so every local of a function
  named `top` would be global: the scope is read from the symbol's flags instead.

Standard library only; Python >= 3.9.
"""
import ast
import io
import json
import symtable
import sys
import tokenize
import warnings

from _symtable import GLOBAL_EXPLICIT, GLOBAL_IMPLICIT, SCOPE_MASK, SCOPE_OFF

INLINE_TABLES = {"lambda", "listcomp", "setcomp", "dictcomp", "genexpr"}
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def module_blocks(stmts):
    """Yields module-level statements, descending into compound statements (still module scope)."""
    for s in stmts:
        yield s
        if isinstance(s, SCOPES):
            continue
        for name in ("body", "orelse", "finalbody"):
            inner = getattr(s, name, None)
            if isinstance(inner, list):
                yield from module_blocks(inner)
        for h in getattr(s, "handlers", None) or []:
            yield from module_blocks(h.body)
        for c in getattr(s, "cases", None) or []:
            yield from module_blocks(c.body)


def is_type_checking(test):
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING" and isinstance(test.value, ast.Name)


def statements_to_blank(tree):
    """The statements the front end deliberately reads differently (see the module docstring)."""
    out = []
    for s in ast.walk(tree):
        if isinstance(s, ast.ImportFrom) and s.module == "__future__" and s.level == 0:
            out.append(s)
    for s in module_blocks(tree.body):
        if isinstance(s, ast.AnnAssign) and s.value is None:
            out.append(s)
        elif isinstance(s, ast.If) and is_type_checking(s.test):
            out.extend(x for x in module_blocks(s.body) if isinstance(x, (ast.Import, ast.ImportFrom)))
    return out


def blank(source, stmts):
    """`source` with each statement replaced by `pass`, keeping every line where it was."""
    lines = source.splitlines(keepends=True)
    # Work from the end so earlier positions stay valid. ast offsets are UTF-8 byte columns.
    for s in sorted(stmts, key=lambda s: (s.lineno, s.col_offset), reverse=True):
        first, last = s.lineno - 1, s.end_lineno - 1
        head = lines[first].encode("utf-8")[: s.col_offset].decode("utf-8")
        tail = lines[last].encode("utf-8")[s.end_col_offset :].decode("utf-8")
        # A multi-line statement becomes `pass` continued by backslashes over the same lines.
        middle = "pass" + " \\\n" * (last - first)
        replaced = (head + middle + tail).splitlines(keepends=True)
        lines[first : last + 1] = replaced
    return "".join(lines)


def comprehension_walrus_targets(tree):
    """`:=` targets in comprehensions at module level: they bind module names."""
    out = set()

    def visit(node, in_comprehension):
        if isinstance(node, SCOPES):
            # A def's defaults, decorators and annotations are still evaluated at module level.
            outer = []
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                outer += node.args.defaults + [d for d in node.args.kw_defaults if d is not None]
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                outer += node.decorator_list
            if isinstance(node, ast.ClassDef):
                outer += node.bases + [k.value for k in node.keywords]
            for n in outer:
                visit(n, in_comprehension)
            return
        if isinstance(node, ast.NamedExpr) and in_comprehension and isinstance(node.target, ast.Name):
            out.add(node.target.id)
        inside = in_comprehension or isinstance(node, COMPREHENSIONS)
        for child in ast.iter_child_nodes(node):
            visit(child, inside)

    visit(tree, False)
    return out


def def_nodes(tree):
    return {(n.name, n.lineno): n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


def is_global(table, sym):
    """`sym.is_global()` without the "top" mix-up: the scope bits of the symbol's flags."""
    scope = (table._table.symbols[sym.get_name()] >> SCOPE_OFF) & SCOPE_MASK
    return scope in (GLOBAL_IMPLICIT, GLOBAL_EXPLICIT)


def global_names(table, defs):
    """Global names a function table uses, its lambda and comprehension tables included."""
    names = set()
    for sym in table.get_symbols():
        if is_global(table, sym) and (sym.is_referenced() or sym.is_assigned() or sym.is_declared_global()):
            names.add(sym.get_name())
    for child in table.get_children():
        if is_inline(child, defs):
            names |= global_names(child, defs)
    return names


def is_inline(table, defs):
    """A lambda's or comprehension's table (a `def listcomp():` has the same table name)."""
    return table.get_type() == "function" and table.get_name() in INLINE_TABLES and (table.get_name(), table.get_lineno()) not in defs


def names_in(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def functions_of(table, defs, out):
    for child in table.get_children():
        node = defs.get((child.get_name(), child.get_lineno()))
        if child.get_type() == "function" and node is not None:
            names = global_names(child, defs)
            # The implicit `__class__` of `super` (see the module docstring).
            if "__class__" in names and "__class__" not in names_in(node):
                names.discard("__class__")
            out.append({"name": child.get_name(), "line": child.get_lineno(), "globals": sorted(names)})
        functions_of(child, defs, out)


def report(path):
    with open(path, "rb") as f:
        raw = f.read()
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        source = raw.decode(encoding)
        if source.startswith("\ufeff"):
            source = source[1:]
        compile(source, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, LookupError, MemoryError, RecursionError) as e:
        # Not Python that CPython compiles (UnicodeDecodeError is a ValueError).
        return {"path": path, "error": "%s: %s" % (type(e).__name__, e)}
    tree = ast.parse(source, path)
    top = symtable.symtable(blank(source, statements_to_blank(tree)), path, "exec")
    decls, imports = set(comprehension_walrus_targets(tree)), set()
    for sym in top.get_symbols():
        if sym.is_assigned():
            decls.add(sym.get_name())
        if sym.is_imported():
            imports.add(sym.get_name())
    functions = []
    functions_of(top, def_nodes(tree), functions)
    return {"path": path, "encoding": encoding, "decls": sorted(decls), "imports": sorted(imports), "functions": functions}


def main():
    warnings.simplefilter("ignore")  # SyntaxWarnings of the files compiled
    for path in sys.argv[1:]:
        print(json.dumps(report(path)))


if __name__ == "__main__":
    main()
