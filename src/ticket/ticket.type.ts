import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../federation/date-time.scalar.js';

/** The helpdesk's Ticket (owned by the Tickets subgraph); this subgraph contributes the CSAT fields. */
@Directive('@key(fields: "id")')
@ObjectType('Ticket')
export class Ticket {
  @Field(() => ID)
  id!: string;

  @Field(() => Int, { nullable: true, description: '1..5, null until the requester rates' })
  csatRating!: number | null;

  @Field(() => String, { nullable: true, description: 'null when none was given' })
  csatComment!: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'RFC 3339, UTC; null until rated' })
  /** RFC 3339 UTC text, as SQL formats it (instantSql). */
  csatRatedAt!: string | null;

  @Field(() => Boolean, { description: 'true only for the requester, on a resolved/closed, unrated ticket' })
  csatCanRate!: boolean;
}
