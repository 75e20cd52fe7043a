import { z } from 'zod';

/**
 * The email that names an existing user in a request. Looser than `z.email()`
 * on purpose: the bootstrap admin defaults to `admin@localhost`, which has no
 * dot in its domain, and must still be assignable to incident roles. New users
 * and contacts are created with the strict check; this one only looks people up.
 */
export const UserEmail = z
  .string()
  .trim()
  .max(254)
  .regex(/^[^\s@]+@[^\s@]+$/, 'an email address such as lee@example.com')
  .describe('The email of a user of Vigil');
