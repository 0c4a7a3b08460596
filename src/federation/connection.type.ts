import { Field, ObjectType, type ClassType } from 'type-graphql';
import { CsatPageInfo } from './page-info.type.js';

export interface Edge<T> {
  cursor: string;
  node: T;
}

/**
 * A Relay connection of `node`, for a class to extend: `<name>Edge { cursor, node }` and the connection's
 * `edges` and `pageInfo`, which the subclass names (`@ObjectType('<name>Connection')`) and may add fields to
 * (totalCount). Cursors come from cursor.codec.ts.
 */
export function Connection<T extends object>(name: string, node: ClassType<T>) {
  @ObjectType(`${name}Edge`)
  class EdgeType implements Edge<T> {
    @Field(() => String)
    cursor!: string;

    @Field(() => node)
    node!: T;
  }

  @ObjectType()
  abstract class ConnectionType {
    @Field(() => [EdgeType])
    edges!: Edge<T>[];

    @Field(() => CsatPageInfo)
    pageInfo!: CsatPageInfo;
  }
  return ConnectionType;
}
