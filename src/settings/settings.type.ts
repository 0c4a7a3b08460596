import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../federation/date-time.scalar.js';

@ObjectType('CsatCommentLanguageStatus', {
  description: 'Where the comment themes stand after commentLanguage changes: a change is recounted in the background, and csatCommentThemes answers in `effective` until the recount is complete (docs/insights.md, Comment themes)',
})
export class CsatCommentLanguageStatusType {
  @Field(() => String, { description: 'The commentLanguage asked for (the same as CsatSettings.commentLanguage)' })
  requested!: string;

  @Field(() => String, { description: 'The language csatCommentThemes answers in now: the last one whose recount is complete' })
  effective!: string;

  @Field(() => Boolean, { description: 'true while the comments are being recounted in `requested`' })
  recounting!: boolean;

  @Field(() => Float, { description: 'Share of the months with comments recounted so far, 0..1; 1 when nothing is being recounted' })
  progress!: number;
}

@ObjectType('CsatSettings', { description: "A workspace's CSAT settings; a workspace that never saved any has the defaults" })
export class CsatSettingsType {
  @Field(() => ID)
  workspaceId!: string;

  @Field(() => Boolean, { description: 'false: nobody can rate (rateTicket gives CSAT_DISABLED); stored ratings stay visible. Default true' })
  enabled!: boolean;

  @Field(() => Boolean, { description: 'csatBadge answers for this workspace. Default false' })
  badgePublic!: boolean;

  @Field(() => Int, { description: 'csatBadge answers only from this many ratings on. At least 30; default 100' })
  badgeMinCount!: number;

  @Field(() => Int, { description: 'A rating at or below this is unhappy (webhook payloads, onlyUnhappy). 1..5; default 2' })
  unhappyMaxRating!: number;

  @Field(() => Int, { description: 'A comment of at least this many characters is vocal (webhook payloads). 1..2000; default 200' })
  vocalMinCommentLength!: number;

  @Field(() => Int, { description: 'A new rating at or below this opens a follow-up (csatFollowUp); 0 opens none. 0..5; default 2' })
  followUpBelow!: number;

  @Field(() => String, { description: "The text search configuration (pg_ts_config) csatCommentThemes reads comments in, once recounted (commentLanguageStatus). Default 'english'" })
  commentLanguage!: string;

  @Field(() => DateTimeScalar, { nullable: true, description: 'null while the defaults were never changed' })
  updatedAt!: string | null;

  @Field(() => ID, { nullable: true, description: 'The admin who last changed them' })
  updatedBy!: string | null;
}

@InputType('CsatSettingsInput', { description: 'A partial change: an absent or null field keeps its value' })
export class CsatSettingsInput {
  @Field(() => Boolean, { nullable: true })
  enabled?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  badgePublic?: boolean | null;

  @Field(() => Int, { nullable: true })
  badgeMinCount?: number | null;

  @Field(() => Int, { nullable: true })
  unhappyMaxRating?: number | null;

  @Field(() => Int, { nullable: true })
  vocalMinCommentLength?: number | null;

  @Field(() => Int, { nullable: true })
  followUpBelow?: number | null;

  @Field(() => String, { nullable: true, description: 'A name PostgreSQL has in pg_ts_config (BAD_USER_INPUT otherwise); a change is recounted in the background (commentLanguageStatus)' })
  commentLanguage?: string | null;
}
