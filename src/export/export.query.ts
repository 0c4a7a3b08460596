// The listing query: the default file beside this one, or the helpdesk's own (--query). Checked before
// any request so a wrong file fails with a clear message instead of a GraphQL error on page 1.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { UsageError } from './export.errors.js';

export const DEFAULT_QUERY_FILE = fileURLToPath(new URL('./export.query.graphql', import.meta.url));

export interface ListingQuery {
  text: string;
  /** Where it came from, for messages. */
  source: string;
  /** Names of the variables the operation declares. */
  variables: ReadonlySet<string>;
}

/** Parses and checks a listing query: one query operation declaring $first and $after. */
export function checkListingQuery(text: string, source: string): ListingQuery {
  let operations: OperationDefinitionNode[];
  try {
    operations = parse(text).definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  } catch (err) {
    throw new UsageError(`${source} is not a GraphQL document: ${(err as Error).message.split('\n')[0]}`);
  }
  if (operations.length !== 1) throw new UsageError(`${source} must hold exactly one operation (found ${operations.length})`);
  const op = operations[0]!;
  if (op.operation !== 'query') throw new UsageError(`${source} must hold a query, not a ${op.operation}`);
  const variables = new Set((op.variableDefinitions ?? []).map((v) => v.variable.name.value));
  for (const required of ['first', 'after']) {
    if (!variables.has(required)) throw new UsageError(`${source} must declare the variable $${required} (see "CSV export" in the README)`);
  }
  return { text, source, variables };
}

export async function loadListingQuery(file: string | undefined): Promise<ListingQuery> {
  const path = file ?? DEFAULT_QUERY_FILE;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read the query file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return checkListingQuery(text, file ?? 'the default query');
}
