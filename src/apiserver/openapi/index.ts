/**
 * apiserver/openapi: the OpenAPI documents k8ts publishes, generated from the compact schema
 * (src/api/schema.ts) and the registry of served resources (src/api/resources.ts):
 *   - `/openapi/v3` (root: one serverRelativeURL with a content hash per document),
 *   - `/openapi/v3/<api/v1 | apis/<group>/<version> | api | apis | apis/<group>>` (OpenAPI 3.0),
 *   - `/openapi/v2` (Swagger 2.0, JSON, or gnostic protobuf for clients that ask for it).
 * Documents are pure functions of those two inputs, built lazily once and kept in memory with
 * their serialized bytes, SHA-512 hashes and ETags. handler.ts answers HTTP requests for them
 * without doing I/O itself. May import src/api/ only.
 */
export {
  openapiV2, openapiV2Document, openapiV3Document, openapiV3GroupVersion, openapiV3Paths, openapiV3Root,
  openapiV3RootDocument, type ServedDocument,
} from './documents.js';
export { handleOpenAPI, type OpenAPIRequest, type OpenAPIResponse } from './handler.js';
