import type { ServerResponse } from 'node:http';
import type { RequestContext } from '../context/request.context.js';

/** The request context as the server's own Apollo plugins see it: with the HTTP response, which a large answer holds its share of the in-flight budget until it closes (answer.budget.ts). */
export type GraphQLContext = RequestContext & { response: ServerResponse };
