// Shared API shapes, taken from the types generated from the server's OpenAPI document
// (schema.d.ts, `npm run gen:api`). Records of entities are not typed here: entities, custom ones
// included, are discovered at run time from the metadata API.
import type { components } from './schema';

type Schemas = components['schemas'];

export type Label = Schemas['Label'];
export type EntityDefinition = Schemas['EntityDefinition'];
export type AttributeDefinition = Schemas['AttributeDefinition'];
export type AttributeType = AttributeDefinition['type'];
export type OptionDefinition = Schemas['Option'];
export type ErrorBody = Schemas['Error'];
export type ErrorDetail = Schemas['ErrorDetail'];
export type LoginRequest = Schemas['LoginRequest'];
export type LoginResponse = Schemas['LoginResponse'];
export type MFAVerifyRequest = Schemas['MFAVerifyRequest'];
export type PluginInfo = Schemas['Plugin'];
export type Job = Schemas['Job'];
export type JobStats = Schemas['JobStats'];

/** A record as the API returns it: attributes by logical name plus system properties. */
export type EntityRecord = Record<string, unknown> & {
  id?: string;
  version?: number;
  '@odata.etag'?: string;
};

/** A page of an entity set. */
export interface RecordPage {
  value: EntityRecord[];
  '@odata.nextLink'?: string;
  '@odata.count'?: number;
}

/** The caller, from GET /auth/me (with their preferences; PATCH /auth/me sets them). */
export type Me = Schemas['Me'];
export type Preferences = Schemas['Preferences'];
