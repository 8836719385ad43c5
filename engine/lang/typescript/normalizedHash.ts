/**
 * Hashes a declaration's tokens so that comments, whitespace and formatting are no change: the
 * scanner skips trivia, string literals are compared by value (quote style is formatting), and
 * semicolons and trailing commas — which formatters add and remove — are dropped.
 */
import * as crypto from 'node:crypto';
import type { Ts } from './compiler';

/** One scanner per compiler, reused: a summary hashes every declaration of every module. */
const scanners = new WeakMap<Ts, ReturnType<Ts['createScanner']>>();

/** The normalized hash of `text.slice(start, end)`. */
export function normalizedHash(ts: Ts, text: string, start: number, end: number, languageVariant: number): string {
  const K = ts.SyntaxKind;
  let scanner = scanners.get(ts);
  if (!scanner) scanners.set(ts, (scanner = ts.createScanner(ts.ScriptTarget.Latest, true, languageVariant)));
  scanner.setLanguageVariant(languageVariant);
  scanner.setText(text, start, end - start);
  // The tokens are hashed in one update (one call into the hash per token was most of its cost);
  // the digest is the same as updating token by token.
  const parts: string[] = [];
  // Template literals nest braces: remember the brace depth at which each `${` was opened so the
  // closing `}` is rescanned as the template's continuation.
  const templateDepths: number[] = [];
  let depth = 0;
  let prev: number = K.Unknown;
  let pendingComma = false;
  for (let kind = scanner.scan(); kind !== K.EndOfFileToken && scanner.getTokenStart() < end; kind = scanner.scan()) {
    if (kind === K.OpenBraceToken) depth++;
    else if (kind === K.CloseBraceToken) {
      if (templateDepths.length > 0 && templateDepths[templateDepths.length - 1] === depth) {
        kind = scanner.reScanTemplateToken(false);
        if (kind === K.TemplateTail) templateDepths.pop();
      } else depth--;
    } else if (kind === K.TemplateHead) templateDepths.push(depth);
    else if ((kind === K.SlashToken || kind === K.SlashEqualsToken) && !endsExpression(ts, prev)) {
      kind = scanner.reScanSlashToken();
    }
    if (kind === K.SemicolonToken) continue;
    if (kind === K.CommaToken) {
      pendingComma = true;
      continue;
    }
    const closes = kind === K.CloseParenToken || kind === K.CloseBracketToken || kind === K.CloseBraceToken;
    if (pendingComma && !closes) parts.push(',');
    pendingComma = false;
    const isString = kind === K.StringLiteral || kind === K.NoSubstitutionTemplateLiteral;
    parts.push(isString ? JSON.stringify(scanner.getTokenValue()) : scanner.getTokenText(), '\u0001');
    prev = kind;
  }
  // Nothing of this text is kept alive by the shared scanner.
  scanner.setText('');
  return sha1Hex(parts.join('')).slice(0, 20);
}

/** SHA-1 of a string in hex: the one-shot `crypto.hash` where Node has it (20.12+), which skips building a Hash object per declaration. */
const sha1Hex: (text: string) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (text) => (crypto as unknown as { hash(alg: string, data: string, enc: 'hex'): string }).hash('sha1', text, 'hex')
    : (text) => crypto.createHash('sha1').update(text).digest('hex');

/** Whether a token can end an expression, in which case a following `/` is division, not a regex. */
function endsExpression(ts: Ts, kind: number): boolean {
  const K = ts.SyntaxKind;
  return (
    kind === K.Identifier ||
    kind === K.NumericLiteral ||
    kind === K.BigIntLiteral ||
    kind === K.StringLiteral ||
    kind === K.CloseParenToken ||
    kind === K.CloseBracketToken ||
    kind === K.CloseBraceToken ||
    kind === K.ThisKeyword ||
    kind === K.SuperKeyword ||
    kind === K.TrueKeyword ||
    kind === K.FalseKeyword ||
    kind === K.NullKeyword ||
    kind === K.TemplateTail ||
    kind === K.NoSubstitutionTemplateLiteral ||
    kind === K.PlusPlusToken ||
    kind === K.MinusMinusToken
  );
}
