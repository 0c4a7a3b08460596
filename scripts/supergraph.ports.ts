// The five ports of `npm run supergraph`, from SUPERGRAPH_PORT (the first of five in a row; 0: free ports),
// and the one line it prints when one of them is taken.

export interface SupergraphPorts {
  gateway: number;
  csat: number;
  tickets: number;
  demo: number;
  webhookReceiver: number;
}

export const DEFAULT_SUPERGRAPH_PORT = 4000;

/** The ports for SUPERGRAPH_PORT's value, or the one-line reason it is refused. */
export function supergraphPorts(value: string | undefined): SupergraphPorts | string {
  const text = value?.trim() ? value.trim() : String(DEFAULT_SUPERGRAPH_PORT);
  const base = Number(text);
  if (!/^\d+$/.test(text) || (base !== 0 && (base < 1 || base > 65535 - 4))) {
    return `SUPERGRAPH_PORT must be the first of five free ports in a row (1-65531; default ${DEFAULT_SUPERGRAPH_PORT}), or 0 for any free ports; got "${value}"`;
  }
  const at = (offset: number) => (base === 0 ? 0 : base + offset);
  return { gateway: at(0), csat: at(1), tickets: at(2), demo: at(3), webhookReceiver: at(4) };
}

/** When `err` (or its cause) is a listen on a port in use: the line to print instead of its stack. */
export function portInUse(err: unknown, host: string): string | undefined {
  for (let e = err as (NodeJS.ErrnoException & { port?: number; address?: string; cause?: unknown }) | undefined; e; e = e.cause as typeof e) {
    if (e.code === 'EADDRINUSE') {
      const where = e.port ? `${e.address ?? host}:${e.port}` : 'a port of the supergraph';
      return (
        `${where} is already in use (is \`npm start\` or another \`npm run supergraph\` running?): stop it, or choose other ports ` +
        `with SUPERGRAPH_PORT, the first of five in a row (SUPERGRAPH_PORT=5000 uses 5000-5004; SUPERGRAPH_PORT=0 picks free ones)`
      );
    }
  }
  return undefined;
}
