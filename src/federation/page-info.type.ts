import { Field, ObjectType } from 'type-graphql';

/** Relay page info of every connection here. Not `PageInfo`: a Tickets subgraph has its own, and two non-shareable types with one name do not compose. */
@ObjectType('CsatPageInfo')
export class CsatPageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}
