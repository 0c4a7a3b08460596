import { Kind, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import { COMMENT_MAX_CODE_POINTS } from '../rating/rating.rules.js';

// JSON.stringify writes a control character as \u00XX: 6 bytes, the most any code point costs (an astral one is 4 bytes of UTF-8).
const JSON_BYTES_PER_CODE_POINT = 6;

/** The largest JSON value of each Ticket field, in bytes; the id is counted per representation (it is echoed). */
const VALUE_BYTES: Readonly<Record<string, number>> = {
  __typename: 8, // "Ticket"
  csatRating: 4, // null, or 1..5
  csatComment: 2 + COMMENT_MAX_CODE_POINTS * JSON_BYTES_PER_CODE_POINT,
  csatRatedAt: 32, // "2026-11-20T10:00:00.123Z", with room for a longer year
  csatCanRate: 5, // false
};
/** A field this table does not know (validation refuses it before this runs): counted generously all the same. */
const UNKNOWN_VALUE_BYTES = 64;
/** `{"data":{"_entities":[` … `]}}`, with room. */
const ENVELOPE_BYTES = 64;
/** A numeric id as text: at most 23 characters (`-1.7976931348623157e+308`). */
const NUMBER_ID_CHARS = 24;

/** One entity of an `_entities` selection: its bytes apart from the ids, and how many response keys echo the id. */
interface EntityShape {
  fixed: number;
  idKeys: number;
}

const shapes = new WeakMap<FieldNode, EntityShape>();

/** Response key -> field name, through inline fragments and fragment spreads (a key repeated is one key in the answer). */
function responseKeys(selectionSet: SelectionSetNode, fragment: (name: string) => FragmentDefinitionNode | undefined, out: Map<string, string>, seen: Set<string>): void {
  for (const s of selectionSet.selections) {
    if (s.kind === Kind.FIELD) out.set(s.alias?.value ?? s.name.value, s.name.value);
    else if (s.kind === Kind.INLINE_FRAGMENT) responseKeys(s.selectionSet, fragment, out, seen);
    else if (!seen.has(s.name.value)) {
      seen.add(s.name.value);
      const f = fragment(s.name.value);
      if (f) responseKeys(f.selectionSet, fragment, out, seen);
    }
  }
}

function entityShape(field: FieldNode, fragment: (name: string) => FragmentDefinitionNode | undefined): EntityShape {
  let shape = shapes.get(field);
  if (shape) return shape;
  const keys = new Map<string, string>();
  if (field.selectionSet) responseKeys(field.selectionSet, fragment, keys, new Set());
  // `{` `}` and the comma after the entity; per key `"key":` and a comma.
  shape = { fixed: 3, idKeys: 0 };
  for (const [key, name] of keys) {
    shape.fixed += key.length + 4;
    if (name === 'id') shape.idKeys++;
    else shape.fixed += VALUE_BYTES[name] ?? UNKNOWN_VALUE_BYTES;
  }
  shapes.set(field, shape);
  return shape;
}

/** The characters of a representation's id as the answer echoes it (a malformed one answers null, 4 bytes, counted as 0 here). */
export function idChars(representation: { id?: unknown }): number {
  const id = representation.id;
  return typeof id === 'string' ? id.length : typeof id === 'number' ? NUMBER_ID_CHARS : 0;
}

/**
 * The most bytes the JSON answer of one `_entities` field can take, known before it runs: every comment at its
 * longest and in its most expensive encoding, every id as given. Representations are in the request, comments
 * are not: a page's answer is bounded by what it selects, never by what happens to be stored.
 */
export function entitiesAnswerBytes(field: FieldNode, fragment: (name: string) => FragmentDefinitionNode | undefined, representations: number, totalIdChars: number): number {
  const { fixed, idKeys } = entityShape(field, fragment);
  return ENVELOPE_BYTES + representations * fixed + idKeys * (representations * 2 + totalIdChars * JSON_BYTES_PER_CODE_POINT);
}
