import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePrincipal } from '../http/authentication.ts';
import { problemResponses } from '../http/problem.ts';
import type { CustomerService } from './customer-service.ts';
import { CONTACT_ROLES, type Customer } from './customer-types.ts';

const ContactSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    email: z.email().max(254).describe('Stored in lower case'),
    role: z.enum(CONTACT_ROLES).describe('What they do for the customer, e.g. security or dpo'),
  })
  .strict()
  .meta({ id: 'CustomerContact' });

const CustomerSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    contacts: z.array(ContactSchema),
    createdAt: z.iso.datetime({ offset: true }),
    createdBy: z.string().describe('`user:EMAIL`, as in the audit log'),
  })
  .meta({ id: 'Customer' });

const CreateCustomerBody = z
  .object({
    name: z.string().trim().min(1).max(200).describe('Unique, ignoring case'),
    contacts: z.array(ContactSchema).min(1).max(50),
  })
  .strict();

const IdParams = z.object({ id: z.uuid() });

function toJson(c: Customer): z.infer<typeof CustomerSchema> {
  return {
    id: c.id,
    name: c.name,
    contacts: c.contacts,
    createdAt: c.createdAt.toISOString(),
    createdBy: c.createdBy,
  };
}

/** `/api/v1/customers`: the customers incidents may affect, with their contacts. */
export function registerCustomerRoutes(app: FastifyInstance, deps: { customers: CustomerService }): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { customers } = deps;
  const tags = ['customers'];

  api.get(
    '/api/v1/customers',
    {
      schema: {
        tags,
        summary: 'List customers by name',
        response: { 200: z.object({ items: z.array(CustomerSchema) }), ...problemResponses(401) },
      },
    },
    async () => ({ items: (await customers.list()).map(toJson) }),
  );

  api.get(
    '/api/v1/customers/:id',
    {
      schema: {
        tags,
        summary: 'One customer with its contacts',
        params: IdParams,
        response: { 200: CustomerSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => toJson(await customers.get(request.params.id)),
  );

  api.post(
    '/api/v1/customers',
    {
      schema: {
        tags,
        summary: 'Add a customer with its contacts',
        body: CreateCustomerBody,
        response: { 201: CustomerSchema, ...problemResponses(400, 401, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const customer = await customers.create(requirePrincipal(request), request.body);
      return reply.code(201).send(toJson(customer));
    },
  );
}
