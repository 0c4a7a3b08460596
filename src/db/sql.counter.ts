/**
 * Counts the SQL statements this process sends through MikroORM. Tests read it to prove the
 * no-N+1 contract; /metrics exposes it as a counter.
 */
export class SqlCounter {
  total = 0;
  readonly count = (): void => {
    this.total++;
  };
}
