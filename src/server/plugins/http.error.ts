/** Errors the HTTP layer answers itself (bad JSON, too large, wrong content type, overload, shutdown), in the GraphQL error shape. */
export function httpError(message: string, code = 'BAD_REQUEST') {
  return { errors: [{ message, extensions: code === 'SERVICE_UNAVAILABLE' ? { code, retryable: true } : { code } }] };
}
