import { Kind, OperationTypeNode, parse, type OperationDefinitionNode } from 'graphql';

/** Mutations a proxy may send twice: rateTicket's rule makes a repeat harmless (the first rating wins; a repeat returns the stored rating and enqueues no event). */
const IDEMPOTENT_MUTATIONS = new Set(['rateTicket']);

/**
 * Whether a GraphQL POST body is safe to send again after its connection was reset before any answer: a query, or a
 * mutation whose every root field is idempotent by its rule. Anything else (another mutation, a body that does not
 * parse) is not retried.
 */
export function safeToRepeat(body: Buffer): boolean {
  try {
    const { query, operationName } = JSON.parse(body.toString('utf8')) as { query?: string; operationName?: string };
    if (typeof query !== 'string') return false;
    const operations = parse(query).definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const op = operations.length === 1 ? operations[0] : operations.find((o) => o.name?.value === operationName);
    if (!op) return false;
    if (op.operation === OperationTypeNode.QUERY) return true;
    if (op.operation !== OperationTypeNode.MUTATION) return false;
    return op.selectionSet.selections.every((s) => s.kind === Kind.FIELD && (IDEMPOTENT_MUTATIONS.has(s.name.value) || s.name.value === '__typename'));
  } catch {
    return false;
  }
}
