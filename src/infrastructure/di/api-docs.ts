/** The composition root's door to the API documentation of `interfaces/http` (start-service serves it). */
export { serveApiDocs } from '../../interfaces/http/openapi/serve-api-docs';
