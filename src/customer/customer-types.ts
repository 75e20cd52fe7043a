/** Types of customers and the people to contact at each. */

/** What a contact does for the customer; closed, so reports can pick out e.g. every DPO. */
export const CONTACT_ROLES = ['primary', 'security', 'dpo', 'technical', 'billing', 'legal'] as const;
export type ContactRole = (typeof CONTACT_ROLES)[number];

export interface Contact {
  name: string;
  /** Always lower case. */
  email: string;
  role: ContactRole;
}

export interface Customer {
  id: string;
  name: string;
  /** In the order given at creation. */
  contacts: Contact[];
  createdAt: Date;
  /** `user:EMAIL`, as in the audit log. */
  createdBy: string;
}

/** What `create` needs; emails may arrive in any case. */
export interface CreateCustomerInput {
  name: string;
  contacts: readonly Contact[];
}

/** A customer as an incident names it. */
export interface CustomerRef {
  id: string;
  name: string;
}
