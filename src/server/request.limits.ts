import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  GraphQLError,
  Kind,
  valueFromASTUntyped,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { Limits } from '../config/config.js';
import { BadUserInputError, LimitExceededError, OverloadedError } from '../errors/domain.errors.js';
import { AnswerBudget } from './answer.budget.js';
import { entitiesAnswerBytes, idChars } from './answer.size.js';
import type { GraphQLContext } from './graphql.context.js';

/** The only entity type of this subgraph: every representation must name it. */
const ENTITY_TYPENAME = 'Ticket';
/** Answers that may pass this size take their worst case from the in-flight budget; smaller pages (the usual ones) never wait on it. */
const BUDGETED_FROM_BYTES = 1024 * 1024;

function limitError(message: string, limit: string, nodes?: FieldNode[]): GraphQLError {
  return new GraphQLError(message, { nodes, originalError: new LimitExceededError(message, limit), extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
}

/** The root fields of an operation, through fragments and inline fragments. */
function rootFields(selectionSet: SelectionSetNode, fragment: (name: string) => FragmentDefinitionNode | undefined | null, seen = new Set<string>()): FieldNode[] {
  const out: FieldNode[] = [];
  for (const s of selectionSet.selections) {
    if (s.kind === Kind.FIELD) out.push(s);
    else if (s.kind === Kind.INLINE_FRAGMENT) out.push(...rootFields(s.selectionSet, fragment, seen));
    else if (!seen.has(s.name.value)) {
      seen.add(s.name.value);
      const f = fragment(s.name.value);
      if (f) out.push(...rootFields(f.selectionSet, fragment, seen));
    }
  }
  return out;
}

/** What GraphQL Armor does not cover: `_entities` and mutation fields per operation, and `_service` where it is off. */
function operationLimits(limits: Limits, serviceSdl: boolean): ValidationRule {
  return (context: ValidationContext) => ({
    OperationDefinition(node: OperationDefinitionNode) {
      const fields = rootFields(node.selectionSet, (name) => context.getFragment(name));
      const entities = fields.filter((f) => f.name.value === '_entities');
      if (entities.length > limits.entitiesFields) {
        context.reportError(limitError(`at most ${limits.entitiesFields} _entities field(s) per operation, found ${entities.length}`, 'entitiesFields', entities));
      }
      if (node.operation === 'mutation' && fields.length > limits.mutationFields) {
        context.reportError(limitError(`at most ${limits.mutationFields} mutation fields per operation, found ${fields.length}`, 'mutationFields'));
      }
      const service = fields.filter((f) => f.name.value === '_service');
      if (!serviceSdl && service.length) {
        context.reportError(new GraphQLError('_service is not served here (SERVICE_SDL=off): compose from the published schema.graphql', { nodes: service }));
      }
    },
  });
}

/**
 * Representations are variables, which validation does not see: count them (over every `_entities` field
 * of the operation) and check their `__typename` once, before execution; then bound the answer they ask for
 * (its worst case: LIMIT_ANSWER_BYTES) and take a large one's share of the in-flight budget. One refusal per
 * request, never one error per representation, and no SQL for a refused one.
 */
function representationsPlugin(limits: Limits, budget: AnswerBudget): ApolloServerPlugin<GraphQLContext> {
  const listener: GraphQLRequestListener<GraphQLContext> = {
    async didResolveOperation({ operation, document, request, contextValue }) {
      if (!operation || operation.operation !== 'query') return;
      const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
      const fragment = (name: string) => fragments.get(name);
      let total = 0;
      let answerBytes = 0;
      for (const field of rootFields(operation.selectionSet, fragment)) {
        if (field.name.value !== '_entities') continue;
        const arg = field.arguments?.find((a) => a.name.value === 'representations');
        const value = arg && valueFromASTUntyped(arg.value, request.variables);
        if (value === null || value === undefined) continue; // graphql-js reports the missing argument itself
        // graphql-js coerces a single value where a list is expected into a list of one: check it the same way.
        const list: unknown[] = Array.isArray(value) ? value : [value];
        total += list.length;
        if (total > limits.representations) throw limitError(`at most ${limits.representations} representations per request`, 'representations');
        let chars = 0;
        for (const r of list) {
          if (typeof r !== 'object' || r === null || (r as { __typename?: unknown }).__typename !== ENTITY_TYPENAME) {
            throw new GraphQLError('every representation needs the __typename of an entity of this subgraph (Ticket)', {
              originalError: new BadUserInputError('every representation needs the __typename of an entity of this subgraph (Ticket)', 'representations'),
              extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
            });
          }
          chars += idChars(r as { id?: unknown });
        }
        answerBytes += entitiesAnswerBytes(field, fragment, list.length, chars);
      }
      if (answerBytes > limits.answerBytes) {
        throw limitError(
          `the answer could reach ${answerBytes} bytes, over ${limits.answerBytes}: ask for fewer representations, or fewer fields (a csatComment counts at its longest)`,
          'answerBytes',
        );
      }
      if (answerBytes >= BUDGETED_FROM_BYTES && !budget.take(answerBytes, contextValue.response)) throw overloaded();
    },
  };
  return { requestDidStart: async () => listener };
}

/** Too many large answers at once: retryable, HTTP 503 with retry-after, like the other overload refusals. */
function overloaded(): GraphQLError {
  const message = 'too many large answers in flight; retry';
  return new GraphQLError(message, {
    originalError: new OverloadedError(message),
    extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503, headers: new Map([['retry-after', '1']]) } },
  });
}

/** Every bound on a request's work: GraphQL Armor's (aliases, depth, cost, directives) and ours. */
export function requestLimits(limits: Limits, opts: { serviceSdl: boolean }, budget: AnswerBudget = new AnswerBudget(limits.answerBytesInFlight)) {
  const reject = (limit: string) => ({
    // Our own report, so that every limit is the same LimitExceededError (code, log line) whichever library found it.
    propagateOnRejection: false,
    onReject: [(ctx: ValidationContext | null, err: GraphQLError) => ctx?.reportError(limitError(err.message.replace(/^Syntax Error: /, ''), limit))],
  });
  const armor = new ApolloArmor({
    maxAliases: { n: limits.aliases, ...reject('aliases') },
    maxDepth: { n: limits.depth, ...reject('depth') },
    costLimit: { maxCost: limits.cost, ...reject('cost') },
    maxDirectives: { n: limits.directives, ...reject('directives') },
    // The parser's own maxTokens (parseOptions) counts tokens; Armor's would parse every new document twice.
    maxTokens: { enabled: false },
    // Suggestions ("Did you mean …") are hidden in production by schema.hints.ts, for enum values and variables too.
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return {
    parseOptions: { maxTokens: limits.tokens },
    validationRules: [...armor.validationRules, operationLimits(limits, opts.serviceSdl)],
    plugins: [...(armor.plugins as ApolloServerPlugin<GraphQLContext>[]), representationsPlugin(limits, budget)],
  };
}
