/**
 * The Python front end's scopes on small inline modules, in the terms of CPython's `symtable`
 * (`pythonScopeReport`); test/engine/pythonAccuracy.test.ts checks the same on the standard
 * library. Each case here pins a rule, most of them ones that accuracy test once caught.
 */
import { strict as assert } from 'node:assert';
import { pythonScopeReport } from '../../engine/lang/python/scopeReport';
import { loadPythonParser } from '../../engine/lang/python/treeSitter';

/** Python source from an indented template literal. */
function py(strings: TemplateStringsArray): string {
  const lines = strings.join('').split('\n');
  while (lines.length && lines[0].trim() === '') lines.shift();
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

function globalsOf(text: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const f of pythonScopeReport(text).functions) out[`${f.name}:${f.line}`] = f.globals;
  return out;
}

describe('Python scope report', () => {
  before(() => loadPythonParser());

  describe('module declarations and imports', () => {
    it('binds the targets of module-level for loops, nested and unpacking, as declarations', () => {
      const r = pythonScopeReport(py`
        for a, (b, *c) in pairs:
            for d in a:
                table[d] = b
        if __name__ == '__main__':
            for e in range(3):
                pass
      `);
      assert.deepEqual(r.decls, ['a', 'b', 'c', 'd', 'e']);
    });

    it('binds the names of module-level except clauses, walrus conditions and match captures', () => {
      const r = pythonScopeReport(py`
        try:
            import fast
        except ImportError as exc:
            fast = None
        if (m := lookup()) is not None:
            pass
        elif (n := other()):
            pass
        while (chunk := read()):
            pass
        match command:
            case [verb, *rest] if (g := verb):
                pass
            case Point(x=px) | {"k": px}:
                pass
      `);
      assert.deepEqual(r.decls, ['chunk', 'exc', 'fast', 'g', 'm', 'n', 'px', 'rest', 'verb']);
      assert.deepEqual(r.imports, ['fast']);
    });

    it('does not declare annotation-only names or list type-checking imports', () => {
      const r = pythonScopeReport(py`
        from typing import TYPE_CHECKING
        import os.path
        if TYPE_CHECKING:
            from collections.abc import Sequence
        x: int
        y: int = 1
      `);
      assert.deepEqual(r.decls, ['y']);
      assert.deepEqual(r.imports, ['TYPE_CHECKING', 'os']);
    });
  });

  describe('function globals', () => {
    it('gives defaults, decorators and annotations of a def to the enclosing scope, body annotations to the body', () => {
      const g = globalsOf(py`
        @deco
        def outer(a: A = DEFAULT) -> R:
            b: B = 1
            def inner(c: C = D) -> E:
                return c + G
            return [x for x in items if x > LIMIT] + (lambda y: y + H)(a)
      `);
      assert.deepEqual(g, { 'outer:2': ['B', 'C', 'D', 'E', 'H', 'LIMIT', 'items'], 'inner:4': ['G'] });
    });

    it('skips class bodies when resolving names, and counts declared globals', () => {
      const g = globalsOf(py`
        class K:
            attr = 1
            def method(self):
                global counter
                counter += attr
                return super().method()
      `);
      assert.deepEqual(g, { 'method:3': ['attr', 'counter', 'super'] });
    });

    it('resolves `__class__` inside a class body to the class cell, elsewhere to the global scope', () => {
      const g = globalsOf(py`
        class K:
            def m(self):
                return __class__, [__class__ for _ in ()], (lambda: __class__)
        def g():
            return __class__
      `);
      assert.deepEqual(g, { 'm:2': [], 'g:4': ['__class__'] });
    });

    it('reads the builtin `type` in `type(x).attr = v`, which the grammar takes for a type alias', () => {
      const g = globalsOf(py`
        def g(mock, k):
            type(mock).attr = k
            type(mock)[k] = 1
      `);
      assert.deepEqual(g, { 'g:1': ['type'] });
    });

    it('binds nothing with a parenthesized annotation-only target', () => {
      const g = globalsOf(py`
        def f():
            (x): int
            (y): int = 0
            return x, y
      `);
      assert.deepEqual(g, { 'f:1': ['int', 'x'] });
    });

    it('normalizes non-ASCII identifiers to NFKC, as Python does', () => {
      const text = py`
        ｘ = 1
        from os import ｐath
        def f():
            ｗｉｄｔｈ = 1
            return width, ｘ
      `;
      const r = pythonScopeReport(text);
      assert.deepEqual([r.decls, r.imports, r.functions], [['f', 'x'], ['path'], [{ name: 'f', line: 3, globals: ['x'] }]]);
    });
  });

  describe('large modules', () => {
    it('summarizes a statement that reads hundreds of thousands of names', () => {
      const text = `def f():\n    return [${'a,'.repeat(200_000)}]\n`;
      const r = pythonScopeReport(text);
      assert.deepEqual(r, { decls: ['f'], imports: [], functions: [{ name: 'f', line: 1, globals: ['a'] }], syntaxErrors: 0 });
    });
  });
});
