import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from '../../federation/date-time.scalar.js';
import { Connection } from '../../federation/connection.type.js';
import { FOLLOW_UP_UPDATED } from '../follow-up.event.sql.js';
import { RATING_CREATED } from '../rating.event.sql.js';

// Enum values are their names: the subgraph schema is rebuilt from SDL, which keeps names only.
export enum CsatEventType {
  CSAT_RATING_CREATED = 'CSAT_RATING_CREATED',
  CSAT_FOLLOW_UP_UPDATED = 'CSAT_FOLLOW_UP_UPDATED',
}

/** An event type's name on the wire (the payload's `type`, csat_webhook.events). */
export const EVENT_WIRE_NAMES: Record<CsatEventType, string> = { CSAT_RATING_CREATED: RATING_CREATED, CSAT_FOLLOW_UP_UPDATED: FOLLOW_UP_UPDATED };
export const eventTypeOfWire = (wire: string): CsatEventType =>
  (Object.keys(EVENT_WIRE_NAMES) as CsatEventType[]).find((k) => EVENT_WIRE_NAMES[k] === wire) ?? (wire as CsatEventType);
registerEnumType(CsatEventType, { name: 'CsatEventType', description: `Events an endpoint can receive; on the wire, ${RATING_CREATED} and ${FOLLOW_UP_UPDATED}` });

export enum CsatDeliveryStatus {
  PENDING = 'PENDING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}
registerEnumType(CsatDeliveryStatus, { name: 'CsatDeliveryStatus' });

@ObjectType('CsatWebhook', { description: 'An endpoint that receives signed CSAT events (Standard Webhooks). Its secret is never listed' })
export class CsatWebhookType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  url!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => [CsatEventType])
  events!: CsatEventType[];

  @Field(() => Boolean, { description: 'Only ratings at or below the workspace setting unhappyMaxRating' })
  onlyUnhappy!: boolean;

  @Field(() => DateTimeScalar)
  createdAt!: string;

  @Field(() => DateTimeScalar, { nullable: true, description: 'After a rotation: until when the previous secret still signs too' })
  previousSecretExpiresAt!: string | null;

  @Field(() => CsatDeliveryStatus, { nullable: true, description: "The newest delivery's status; null before the first" })
  lastDeliveryStatus!: CsatDeliveryStatus | null;

  @Field(() => DateTimeScalar, { nullable: true })
  lastDeliveryAt!: string | null;
}

@ObjectType('CsatWebhookCreated', { description: 'The endpoint and its signing secret, shown this once' })
export class CsatWebhookCreated {
  @Field(() => CsatWebhookType)
  webhook!: CsatWebhookType;

  @Field(() => String, { description: 'whsec_ + base64: the Standard Webhooks signing secret. Not shown again' })
  secret!: string;
}

@ObjectType('CsatDeliveryAttempt')
export class CsatDeliveryAttemptType {
  @Field(() => DateTimeScalar)
  at!: string;

  @Field(() => Int, { nullable: true, description: "The receiver's HTTP status; null when none came (timeout, refused, unreachable)" })
  statusCode!: number | null;

  @Field(() => Int)
  durationMs!: number;

  @Field(() => String, { nullable: true })
  error!: string | null;
}

@ObjectType('CsatDelivery', { description: 'One event to one endpoint' })
export class CsatDeliveryType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, { description: 'The webhook-id header: the same on every retry' })
  eventId!: string;

  @Field(() => CsatDeliveryStatus)
  status!: CsatDeliveryStatus;

  @Field(() => [CsatDeliveryAttemptType], { description: 'Oldest first' })
  attempts!: CsatDeliveryAttemptType[];

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the next attempt is due; null once SUCCEEDED or FAILED' })
  nextAttemptAt!: string | null;
}

@ObjectType('CsatDeliveryConnection', { description: 'Newest first' })
export class CsatDeliveryConnection extends Connection('CsatDelivery', CsatDeliveryType) {}

@InputType('CreateCsatWebhookInput')
export class CreateCsatWebhookInput {
  @Field(() => String, { description: 'https (in development, http to loopback with WEBHOOKS_ALLOW_LOOPBACK); must resolve to public addresses' })
  url!: string;

  @Field(() => String, { nullable: true, description: 'At most 500 characters' })
  description?: string | null;

  @Field(() => [CsatEventType])
  events!: CsatEventType[];

  @Field(() => Boolean, { nullable: true, defaultValue: false })
  onlyUnhappy?: boolean | null;
}

@InputType('UpdateCsatWebhookInput', { description: 'A partial change: absent or null fields keep their value' })
export class UpdateCsatWebhookInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  url?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => [CsatEventType], { nullable: true })
  events?: CsatEventType[] | null;

  @Field(() => Boolean, { nullable: true })
  onlyUnhappy?: boolean | null;
}
