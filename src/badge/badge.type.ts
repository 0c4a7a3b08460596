import { Field, Float, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../federation/date-time.scalar.js';

@ObjectType('CsatBadge', { description: "A workspace's published CSAT figures (at most 60 s old)" })
export class CsatBadge {
  @Field(() => Float, { description: 'Average rating, 1..5, rounded to one decimal' })
  average!: number;

  @Field(() => Int, { description: 'Number of ratings' })
  count!: number;

  @Field(() => Float, { description: 'Share of ratings of 4 or 5, 0..1' })
  satisfiedShare!: number;

  @Field(() => DateTimeScalar, { description: 'When these figures were computed' })
  asOf!: string;
}
