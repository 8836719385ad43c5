/**
 * The TypeScript compiler functions and enums the engine calls, and all that the bundles' copy of
 * the compiler exports: `scripts/parserOnlyCompiler.mjs` builds dist/typescript.js from this list
 * (the scanner and parser only), and `Ts` (compiler.ts) is typed by it, so using anything else
 * is a type error rather than a crash in the bundles.
 */
export const PARSER_API = [
  'createSourceFile',
  'createScanner',
  'forEachChild',
  'getLineAndCharacterOfPosition',
  'getTokenPosOfNode',
  'SyntaxKind',
  'ScriptTarget',
  'ScriptKind',
  'NodeFlags',
  'JSDocParsingMode',
  'isArrayBindingPattern',
  'isClassDeclaration',
  'isComputedPropertyName',
  'isEnumDeclaration',
  'isExportAssignment',
  'isExportDeclaration',
  'isFunctionDeclaration',
  'isIdentifier',
  'isImportDeclaration',
  'isInterfaceDeclaration',
  'isModuleDeclaration',
  'isNamespaceExport',
  'isNamespaceImport',
  'isObjectBindingPattern',
  'isOmittedExpression',
  'isStringLiteral',
  'isTypeAliasDeclaration',
  'isTypeNode',
  'isVariableStatement',
] as const;

export type ParserApiName = (typeof PARSER_API)[number];
