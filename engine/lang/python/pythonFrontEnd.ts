/**
 * The Python front end: tree-sitter summaries and import resolution against the workspace's import
 * roots. Created per workspace because resolution depends on `python.paths`; summaries do not, so
 * they are cached by content alone.
 */
import type { LanguageFrontEnd } from '../frontEnd';
import { resolvePythonImport } from './resolvePythonImport';
import { summarizePython } from './summarizePython';
import { loadPythonParser } from './treeSitter';

const HANDLED = /\.pyi?$/;
const SKIPPED = /(^|\/)(node_modules|\.venv|venv|site-packages|__pycache__|\.tox|\.mypy_cache)\//;

/** A Python front end resolving absolute imports under `roots` (repository-relative folders, '' for the root). */
export function createPythonFrontEnd(roots: readonly string[]): LanguageFrontEnd {
  return {
    cacheKey: 'py-summary-v4',
    pathspecs: ['*.py', '*.pyi'],
    handles: (path) => HANDLED.test(path) && !SKIPPED.test(path),
    prepare: async () => {
      await loadPythonParser();
    },
    summarize: summarizePython,
    resolveImport: (fromPath, specifier, exists) => resolvePythonImport(roots, fromPath, specifier, exists),
    // `from pkg import mod` names a submodule when the package's `__init__` does not define `mod`.
    submoduleSpecifier: (_fromPath, specifier, name) => (specifier.endsWith('.') ? specifier + name : `${specifier}.${name}`),
  };
}
