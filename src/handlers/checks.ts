import { catalogueView } from '../core/tenant-use-cases.ts';
import { createServices, httpHandler } from './app.ts';
import { json } from './http.ts';

export const services = createServices();

/** GET /checks: the catalogue, its IAM actions and which profiles require each check. */
export const handler = httpHandler(services, async () => json(200, catalogueView(services.config.profiles)));
