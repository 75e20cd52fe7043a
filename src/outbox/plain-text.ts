/**
 * The plain-text body of the notices Vigil writes by itself (not from a
 * policy template): the lines as given, a blank line and Vigil's sign-off.
 */
export function plainTextBody(lines: readonly string[]): string {
  return [...lines, '', '-- Vigil', ''].join('\n');
}
