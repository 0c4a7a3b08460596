import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  TypeInfo,
  getNamedType,
  isInputObjectType,
  isListType,
  isNonNullType,
  visit,
  visitWithTypeInfo,
  type ASTNode,
  type DocumentNode,
  type ExecutableDefinitionNode,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { InstantInputError } from '../federation/date-time.scalar.js';
import { readInstant } from '../federation/instant.parser.js';
import type { GraphQLContext } from './graphql.context.js';

/**
 * Every DateTime a client sends is read by one parser (federation/instant.parser.ts) in the scalar itself; the
 * scalar does not know which argument it is reading. This plugin names it (`extensions.field`, a path such as
 * `filter.ratedFrom`), whatever the schema's arguments are:
 * - variables: their instants are read before graphql-js coerces them, and the first refused one ends the request
 *   with BAD_USER_INPUT on its path (no SQL);
 * - literals in the document: the scalar refuses them during validation; their errors are given the path.
 */

const INSTANT = 'DateTime';

interface VariableUsage {
  variable: string;
  path: string;
  type: GraphQLInputType;
}

const VALUE_KINDS: ReadonlySet<string> = new Set([Kind.VARIABLE, Kind.INT, Kind.FLOAT, Kind.STRING, Kind.BOOLEAN, Kind.NULL, Kind.ENUM, Kind.LIST, Kind.OBJECT]);

const join = (path: string[]) => path.map((p, i) => (i === 0 || p.startsWith('[') ? p : `.${p}`)).join('');

const containsCache = new WeakMap<GraphQLNamedType, boolean>();
/** Whether a value of this input type can hold an instant somewhere. */
function containsInstant(type: GraphQLInputType | undefined | null, seen = new Set<GraphQLNamedType>()): boolean {
  if (!type) return false;
  const named = getNamedType(type);
  const cached = containsCache.get(named);
  if (cached !== undefined) return cached;
  if (seen.has(named)) return false;
  seen.add(named);
  const result = named.name === INSTANT || (isInputObjectType(named) && Object.values(named.getFields()).some((f) => containsInstant(f.type, seen)));
  containsCache.set(named, result);
  return result;
}

/** The operation and the fragments it spreads, transitively. */
function definitionsOf(operation: OperationDefinitionNode, document: DocumentNode): ExecutableDefinitionNode[] {
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  const out: ExecutableDefinitionNode[] = [operation];
  const seen = new Set<string>();
  for (let i = 0; i < out.length; i++) {
    visit(out[i]!, {
      FragmentSpread(node) {
        const f = fragments.get(node.name.value);
        if (f && !seen.has(f.name.value)) {
          seen.add(f.name.value);
          out.push(f);
        }
      },
    });
  }
  return out;
}

/** Where instants sit in these definitions: literal value nodes (with their path) and variables used at such a place. */
function instantPlaces(schema: GraphQLSchema, definitions: readonly ASTNode[]): { literals: Map<ASTNode, string>; variables: VariableUsage[] } {
  const literals = new Map<ASTNode, string>();
  const variables: VariableUsage[] = [];
  for (const definition of definitions) {
    const typeInfo = new TypeInfo(schema);
    const path: string[] = [];
    const pushed: boolean[] = [];
    let inVariableDefinition = false;
    visit(
      definition,
      visitWithTypeInfo(typeInfo, {
        enter(node, key) {
          let segment: string | null = null;
          if (node.kind === Kind.VARIABLE_DEFINITION) {
            inVariableDefinition = true;
            segment = `$${node.variable.name.value}`;
          } else if (node.kind === Kind.ARGUMENT || node.kind === Kind.OBJECT_FIELD) segment = node.name.value;
          else if (typeof key === 'number' && VALUE_KINDS.has(node.kind)) segment = `[${key}]`;
          if (segment !== null) path.push(segment);
          pushed.push(segment !== null);
          if (!VALUE_KINDS.has(node.kind)) return;
          const type = typeInfo.getInputType();
          if (node.kind === Kind.VARIABLE) {
            if (!inVariableDefinition && containsInstant(type)) variables.push({ variable: node.name.value, path: join(path), type: type! });
          } else if (type && getNamedType(type).name === INSTANT) literals.set(node, join(path));
        },
        leave(node) {
          if (pushed.pop()) path.pop();
          if (node.kind === Kind.VARIABLE_DEFINITION) inVariableDefinition = false;
        },
      }),
    );
  }
  return { literals, variables };
}

/** The instants inside a variable's (JSON) value, with their paths, in the order of the type's fields. */
function* instantsIn(value: unknown, type: GraphQLInputType, path: string): Generator<[string, unknown]> {
  if (value === null || value === undefined) return;
  const t = isNonNullType(type) ? type.ofType : type;
  if (isListType(t)) {
    // A single value where a list is expected is coerced to a list of one.
    if (Array.isArray(value)) for (let i = 0; i < value.length; i++) yield* instantsIn(value[i], t.ofType, `${path}[${i}]`);
    else yield* instantsIn(value, t.ofType, path);
  } else if (isInputObjectType(t)) {
    if (typeof value !== 'object' || Array.isArray(value)) return;
    for (const [name, field] of Object.entries(t.getFields())) {
      if (Object.hasOwn(value, name) && containsInstant(field.type)) yield* instantsIn((value as Record<string, unknown>)[name], field.type, `${path}.${name}`);
    }
  } else if (t.name === INSTANT) yield [path, value];
}

function refusal(err: InstantInputError | string, field: string, nodes?: readonly ASTNode[]): GraphQLError {
  const named = new InstantInputError(typeof err === 'string' ? err : err.why, field);
  return new GraphQLError(named.message, { nodes, originalError: named, extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
}

export function instantArgumentsPlugin(): ApolloServerPlugin<GraphQLContext> {
  // Per operation node: Apollo keeps parsed documents, so a repeated query is walked once.
  const usages = new WeakMap<OperationDefinitionNode, VariableUsage[]>();
  const listener: GraphQLRequestListener<GraphQLContext> = {
    async validationDidStart({ schema, document }) {
      return async (reported) => {
        if (!reported?.length) return;
        // Apollo answers with this very array (requestPipeline.ts), so a replaced element is what the client sees.
        const errors = reported as Error[];
        let literals: Map<ASTNode, string> | undefined;
        for (let i = 0; i < errors.length; i++) {
          const e = errors[i];
          if (!(e instanceof GraphQLError) || !(e.originalError instanceof InstantInputError) || !e.nodes?.length) continue;
          literals ??= instantPlaces(schema, document.definitions).literals;
          const field = literals.get(e.nodes[0]!);
          if (field) errors[i] = refusal(e.originalError, field, e.nodes);
        }
      };
    },
    async didResolveOperation({ schema, document, operation, request }) {
      if (!operation || !request.variables) return;
      let mine = usages.get(operation);
      if (!mine) {
        mine = instantPlaces(schema, definitionsOf(operation, document)).variables;
        usages.set(operation, mine);
      }
      for (const u of mine) {
        for (const [field, value] of instantsIn(request.variables[u.variable], u.type, u.path)) {
          const r = readInstant(value);
          if (!r.ok) throw refusal(r.why, field);
        }
      }
    },
  };
  return { requestDidStart: async () => listener };
}
