import { INestApplication } from '@nestjs/common';
import { SwaggerModule } from '@nestjs/swagger';
import { buildOpenApiDocument } from './openapi-document';

/** Where the OpenAPI document is served: the UI at `/docs`, the JSON at `/docs-json`. */
export const API_DOCS_PATH = 'docs';

/**
 * Serves the generated OpenAPI document with Swagger UI (its assets come from the installed
 * `swagger-ui-dist`, nothing from a CDN). "Authorize" keeps the token across reloads.
 */
export function serveApiDocs(app: INestApplication): void {
  const document = buildOpenApiDocument();
  SwaggerModule.setup(API_DOCS_PATH, app, () => document as unknown as ReturnType<typeof SwaggerModule.createDocument>, {
    jsonDocumentUrl: `${API_DOCS_PATH}-json`,
    customSiteTitle: 'Zapdesk API',
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true, docExpansion: 'list', deepLinking: true, tryItOutEnabled: true },
  });
}
