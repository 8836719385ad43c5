/**
 * The data checks run on every affected feature, in report order. `runtime.timeout`,
 * `code.syntax` and `source.missing` are decided before any value exists, in `runCheck.ts` and
 * the impact analysis.
 */
import type { Check } from './checkContext';
import { codeNondeterministic } from './codeNondeterministic';
import { domainNewValues } from './domainNewValues';
import { driftDistribution } from './driftDistribution';
import { examplesMismatch } from './examplesMismatch';
import { expectNotNull } from './expectNotNull';
import { expectRange } from './expectRange';
import { expectValues } from './expectValues';
import { nullsRate } from './nullsRate';
import { perfSlowdown } from './perfSlowdown';
import { runtimeError } from './runtimeError';
import { schemaType } from './schemaType';
import { valueMismatch } from './valueMismatch';

/** Checks comparing the target with the stored column: history compatibility. */
export const STORED_CHECKS: Check[] = [schemaType, valueMismatch, driftDistribution, nullsRate, domainNewValues];

/** Checks of the target on its own: they hold whatever the verdict. */
export const TARGET_CHECKS: Check[] = [runtimeError, expectRange, expectNotNull, expectValues, examplesMismatch, perfSlowdown, codeNondeterministic];
