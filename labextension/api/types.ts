/**
 * The wire shapes of the REST API, by the names of the OpenAPI document's schemas
 * (generated into `./schema.ts` from the server's pydantic models: `jlpm gen:api`).
 * The views' `types.ts` files derive their REST shapes from these, so a change on the
 * server shows up here as a type error rather than at run time.
 */
import type { components } from './schema';

/** Every schema of the document, e.g. `Schemas['Run']`. */
export type Schemas = components['schemas'];
