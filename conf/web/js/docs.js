// /docs: Swagger UI (swagger-ui-dist, served from this origin) over the
// OpenAPI description this server serves; "try it out" calls this server.
import {show} from '/assets/api.js';

const bundle = window.SwaggerUIBundle;
if (bundle) {
    window.ui = bundle({
        url: '/api/v1/openapi.json',
        dom_id: '#swagger-ui',
        deepLinking: true,
        presets: [bundle.presets.apis],
        // no badge fetched from swagger.io's validator
        validatorUrl: null,
        tryItOutEnabled: false,
        persistAuthorization: false,
        onComplete() {
            document.body.dataset.docs = 'ready';
        },
    });
} else {
    show('docs-status', 'error', 'The reference viewer did not load.');
}
