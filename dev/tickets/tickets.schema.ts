// The reference Tickets subgraph: a stand-in for the helpdesk's own, for local supergraphs, end-to-end
// tests and benchmarks. It owns Ticket and the `ticket` table (dev/ticket.schema.sql). Never production.
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, parse, type GraphQLSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import type pg from 'pg';
import { isUuid, type Viewer } from '../../src/auth/viewer.js';

export const TICKETS_SDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])

scalar DateTime

enum TicketStatus { new open pending resolved closed }
enum TicketPriority { low normal high urgent }

type Ticket @key(fields: "id") {
  id: ID!
  ref: String!
  subject: String!
  status: TicketStatus!
  priority: TicketPriority!
  requesterId: ID!
  assigneeId: ID
  workspaceId: ID!
  createdAt: DateTime!
  updatedAt: DateTime!
}

input TicketFilter {
  status: [TicketStatus!]
  assigneeId: ID
  requesterId: ID
  "created at or after"
  createdSince: DateTime
  "created before"
  createdUntil: DateTime
}

type TicketEdge { cursor: String! node: Ticket! }
type TicketPageInfo { hasNextPage: Boolean! endCursor: String }
type TicketConnection { edges: [TicketEdge!]! pageInfo: TicketPageInfo! totalCount: Int! }

type Query {
  ticket(id: ID!): Ticket
  "Oldest first, by (createdAt, id). Agents and admins: their workspace; customers: their own tickets."
  tickets(first: Int = 50, after: String, filter: TicketFilter): TicketConnection!
}

type Mutation {
  "Agents and admins of the ticket's workspace."
  setTicketStatus(id: ID!, status: TicketStatus!): Ticket!
}
`;

export interface TicketsContext {
  viewer: Viewer | null;
}

const COLUMNS = `id, ref, subject, status, priority, requester_id, assignee_id, workspace_id, created_at, updated_at`;
const MAX_PAGE = 1000;

interface TicketRow {
  id: string;
  ref: string;
  subject: string;
  status: string;
  priority: string;
  requester_id: string;
  assignee_id: string | null;
  workspace_id: string;
  created_at: Date;
  updated_at: Date;
}

function toTicket(r: TicketRow) {
  return {
    id: r.id,
    ref: r.ref,
    subject: r.subject,
    status: r.status,
    priority: r.priority,
    requesterId: r.requester_id,
    assigneeId: r.assignee_id,
    workspaceId: r.workspace_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function fail(code: string, message: string): never {
  throw new GraphQLError(message, { extensions: { code } });
}

function requireViewer(ctx: TicketsContext): Viewer {
  if (!ctx.viewer) fail('UNAUTHENTICATED', 'a token is required');
  return ctx.viewer;
}

/** The caller's scope as SQL conditions: agents/admins see their workspace, customers their own tickets. */
function scope(viewer: Viewer, params: unknown[]): string[] {
  params.push(viewer.workspace);
  const where = [`workspace_id = $${params.length}`];
  if (viewer.role === 'customer') {
    params.push(viewer.sub);
    where.push(`requester_id = $${params.length}`);
  }
  return where;
}

/** created_at to the microsecond (PostgreSQL's precision; a JS Date has milliseconds only), in UTC. */
const CURSOR_AT = `to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at`;
const CURSOR_AT_FORMAT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

interface Cursor {
  at: string;
  id: string;
}

/**
 * A cursor carries its row's whole sort key (created_at, id), opaque as base64url: paging goes on past a
 * row deleted meanwhile, where a lookup of the row by id would find nothing and end the listing early.
 */
const cursorOf = (r: { cursor_at: string; id: string }) => Buffer.from(JSON.stringify({ at: r.cursor_at, id: r.id } satisfies Cursor)).toString('base64url');

function readCursor(cursor: string): Cursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  const { at, id } = (value ?? {}) as Partial<Cursor>;
  // The round trip refuses impossible dates (2025-02-30) here, not as a PostgreSQL error.
  const valid = typeof at === 'string' && CURSOR_AT_FORMAT.test(at) && new Date(Date.parse(at) || 0).toISOString().slice(0, 19) === at.slice(0, 19);
  if (!valid || typeof id !== 'string' || !isUuid(id)) {
    fail('BAD_USER_INPUT', 'after: not a cursor of this connection');
  }
  return { at, id };
}

export function buildTicketsSchema(pool: pg.Pool): GraphQLSchema {
  const resolvers = {
    DateTime: DateTimeResolver,
    Query: {
      async ticket(_: unknown, { id }: { id: string }, ctx: TicketsContext) {
        const viewer = requireViewer(ctx);
        if (!isUuid(id)) return null;
        const params: unknown[] = [id];
        const where = ['id = $1', ...scope(viewer, params)];
        const { rows } = await pool.query<TicketRow>(`select ${COLUMNS} from ticket where ${where.join(' and ')}`, params);
        return rows[0] ? toTicket(rows[0]) : null;
      },
      async tickets(
        _: unknown,
        args: { first: number; after?: string | null; filter?: { status?: string[]; assigneeId?: string; requesterId?: string; createdSince?: Date; createdUntil?: Date } | null },
        ctx: TicketsContext,
      ) {
        const viewer = requireViewer(ctx);
        if (!Number.isInteger(args.first) || args.first < 0 || args.first > MAX_PAGE) fail('BAD_USER_INPUT', `first must be 0..${MAX_PAGE}`);
        const params: unknown[] = [];
        const where = scope(viewer, params);
        const f = args.filter ?? {};
        if (f.status?.length) {
          params.push(f.status);
          where.push(`status = any($${params.length}::text[])`);
        }
        for (const [key, column] of [['assigneeId', 'assignee_id'], ['requesterId', 'requester_id']] as const) {
          const v = f[key];
          if (v === undefined || v === null) continue;
          if (!isUuid(v)) fail('BAD_USER_INPUT', `filter.${key} must be a UUID`);
          params.push(v);
          where.push(`${column} = $${params.length}`);
        }
        if (f.createdSince) {
          params.push(f.createdSince);
          where.push(`created_at >= $${params.length}`);
        }
        if (f.createdUntil) {
          params.push(f.createdUntil);
          where.push(`created_at < $${params.length}`);
        }
        const filtered = [...where];
        const countParams = [...params];
        if (args.after) {
          const { at, id } = readCursor(args.after);
          params.push(at, id);
          where.push(`(created_at, id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
        }
        params.push(args.first + 1);
        const page = await pool.query<TicketRow & { cursor_at: string }>(
          `select ${COLUMNS}, ${CURSOR_AT} from ticket where ${where.join(' and ')} order by created_at, id limit $${params.length}`,
          params,
        );
        const rows = page.rows.slice(0, args.first);
        return {
          edges: rows.map((r) => ({ cursor: cursorOf(r), node: toTicket(r) })),
          pageInfo: { hasNextPage: page.rows.length > args.first, endCursor: rows.length ? cursorOf(rows[rows.length - 1]!) : null },
          // A function: graphql-js calls it only when the query asks for totalCount.
          totalCount: async () =>
            (await pool.query<{ n: number }>(`select count(*)::int as n from ticket where ${filtered.join(' and ')}`, countParams)).rows[0]!.n,
        };
      },
    },
    Mutation: {
      async setTicketStatus(_: unknown, { id, status }: { id: string; status: string }, ctx: TicketsContext) {
        const viewer = requireViewer(ctx);
        if (viewer.role === 'customer') fail('FORBIDDEN', 'only agents and admins change a ticket status');
        if (!isUuid(id)) fail('NOT_FOUND', 'ticket not found');
        const { rows } = await pool.query<TicketRow>(
          `update ticket set status = $3, updated_at = now() where id = $1 and workspace_id = $2 returning ${COLUMNS}`,
          [id, viewer.workspace, status],
        );
        if (!rows[0]) fail('NOT_FOUND', 'ticket not found');
        return toTicket(rows[0]);
      },
    },
    Ticket: {
      async __resolveReference(ref: { id: string }, ctx: TicketsContext) {
        const viewer = ctx.viewer;
        if (!viewer || !isUuid(ref.id)) return null;
        const params: unknown[] = [ref.id];
        const where = ['id = $1', ...scope(viewer, params)];
        const { rows } = await pool.query<TicketRow>(`select ${COLUMNS} from ticket where ${where.join(' and ')}`, params);
        return rows[0] ? toTicket(rows[0]) : null;
      },
    },
  };
  return buildSubgraphSchema([{ typeDefs: parse(TICKETS_SDL), resolvers: resolvers as any }]);
}
