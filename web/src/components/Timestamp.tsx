/**
 * An instant in the viewer's time zone, with the policy's zone on hover: the console's
 * {@link Instant} under the name some pages import it by.
 */
export { Instant as Timestamp } from './Instant.tsx';
