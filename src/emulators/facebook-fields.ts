/**
 * The `fields` parameter of Graph's GET /me and the User node it selects. Graph's field syntax
 * is a comma list where a field may carry modifiers and nested fields:
 * `id,name,picture.type(large)`, `picture.width(200).height(200)`, `picture{url,is_silhouette}`.
 * Without `fields`, /me answers `name` and `id` only (Graph API v2.4 onwards).
 * `email` appears only when the person granted the email permission and has an address.
 */
import type { FacebookTestUser } from './test-users';

export interface FieldRequest {
  readonly name: string;
  readonly modifiers: ReadonlyMap<string, string>;
  readonly subfields: readonly FieldRequest[] | undefined;
}

export class FieldSyntaxError extends Error {
  constructor(readonly input: string) {
    super(`cannot parse fields "${input}"`);
    this.name = 'FieldSyntaxError';
  }
}

/** Parses a Graph `fields` value; throws FieldSyntaxError when it does not follow the grammar. */
export function parseFields(input: string): FieldRequest[] {
  let at = 0;
  const skipSpace = (): void => {
    while (at < input.length && /\s/.test(input[at] ?? '')) at += 1;
  };
  const identifier = (): string => {
    skipSpace();
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(input.slice(at));
    if (!match) throw new FieldSyntaxError(input);
    at += match[0].length;
    return match[0];
  };
  const expect = (char: string): void => {
    skipSpace();
    if (input[at] !== char) throw new FieldSyntaxError(input);
    at += 1;
  };
  const list = (nested: boolean): FieldRequest[] => {
    const fields: FieldRequest[] = [];
    for (;;) {
      const name = identifier();
      const modifiers = new Map<string, string>();
      skipSpace();
      while (input[at] === '.') {
        at += 1;
        const modifier = identifier();
        expect('(');
        const close = input.indexOf(')', at);
        if (close === -1) throw new FieldSyntaxError(input);
        modifiers.set(modifier, input.slice(at, close).trim());
        at = close + 1;
        skipSpace();
      }
      let subfields: FieldRequest[] | undefined;
      if (input[at] === '{') {
        at += 1;
        subfields = list(true);
        expect('}');
      }
      fields.push({ name, modifiers, subfields });
      skipSpace();
      if (input[at] === ',') {
        at += 1;
        continue;
      }
      if (nested ? input[at] === '}' : at >= input.length) return fields;
      throw new FieldSyntaxError(input);
    }
  };
  if (input.trim() === '') return [];
  return list(false);
}

export interface PictureData {
  readonly height: number;
  readonly is_silhouette: boolean;
  readonly url: string;
  readonly width: number;
}

/** Graph's named picture sizes; without a type or size, /me's picture is 50×50. */
const PICTURE_TYPES: Readonly<Record<string, number>> = { small: 50, normal: 100, album: 50, large: 200, square: 50 };
const DEFAULT_PICTURE_SIZE = 50;
const MAX_PICTURE_SIZE = 2048;

function pictureSize(modifiers: ReadonlyMap<string, string>): { width: number; height: number } {
  const parse = (value: string | undefined): number | undefined => {
    if (value === undefined || !/^\d+$/.test(value)) return undefined;
    return Math.min(Math.max(Number(value), 1), MAX_PICTURE_SIZE);
  };
  const width = parse(modifiers.get('width'));
  const height = parse(modifiers.get('height'));
  if (width !== undefined || height !== undefined) return { width: width ?? height ?? 0, height: height ?? width ?? 0 };
  const typed = PICTURE_TYPES[modifiers.get('type') ?? ''] ?? DEFAULT_PICTURE_SIZE;
  return { width: typed, height: typed };
}

export function pictureData(user: FacebookTestUser, modifiers: ReadonlyMap<string, string>): PictureData {
  const { width, height } = pictureSize(modifiers);
  const joiner = user.pictureUrl.includes('?') ? '&' : '?';
  return {
    height,
    is_silhouette: user.isSilhouette,
    url: `${user.pictureUrl}${joiner}width=${width}&height=${height}`,
    width,
  };
}

export type RenderedUser =
  | { readonly ok: true; readonly body: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly field: string; readonly nodeType: string };

const DEFAULT_FIELDS: readonly FieldRequest[] = [
  { name: 'name', modifiers: new Map(), subfields: undefined },
  { name: 'id', modifiers: new Map(), subfields: undefined },
];

function scalarField(user: FacebookTestUser, name: string, grantedScopes: ReadonlySet<string>): { known: boolean; value?: unknown } {
  switch (name) {
    case 'id':
      return { known: true, value: user.id };
    case 'name':
      return { known: true, value: user.name };
    case 'first_name':
    case 'short_name':
      return { known: true, value: user.firstName };
    case 'last_name':
      return { known: true, value: user.lastName };
    case 'name_format':
      return { known: true, value: '{first} {last}' };
    // Real fields that need permissions the test users never grant (user_gender, user_link,
    // user_birthday): Graph omits them rather than failing, so passport profileFields work.
    case 'middle_name':
    case 'gender':
    case 'link':
    case 'birthday':
      return { known: true };
    case 'email':
      return { known: true, value: grantedScopes.has('email') && user.email !== null ? user.email : undefined };
    default:
      return { known: false };
  }
}

/** Renders the User node for the requested fields, in the order they were asked for. */
export function renderUser(
  user: FacebookTestUser,
  fields: readonly FieldRequest[] | undefined,
  grantedScopes: ReadonlySet<string>,
): RenderedUser {
  const body: Record<string, unknown> = {};
  for (const field of fields === undefined || fields.length === 0 ? DEFAULT_FIELDS : fields) {
    if (field.name === 'picture') {
      const data: Record<string, unknown> = { ...pictureData(user, field.modifiers) };
      if (field.subfields) {
        const picked: Record<string, unknown> = {};
        for (const sub of field.subfields) {
          if (!(sub.name in data)) return { ok: false, field: sub.name, nodeType: 'ProfilePictureSource' };
          picked[sub.name] = data[sub.name];
        }
        body['picture'] = { data: picked };
      } else {
        body['picture'] = { data };
      }
      continue;
    }
    const scalar = scalarField(user, field.name, grantedScopes);
    if (!scalar.known) return { ok: false, field: field.name, nodeType: 'User' };
    if (scalar.value !== undefined) body[field.name] = scalar.value;
  }
  return { ok: true, body };
}
