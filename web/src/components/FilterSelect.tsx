/**
 * A filter kept in the URL, as a labelled select: "Any …" clears it. A value
 * the options do not know (an old link, a policy that changed) still shows,
 * so the select never lies about what is filtered.
 */
export function FilterSelect(props: {
  label: string;
  /** The query-string key; the select's id is `${idPrefix}-${name}`. */
  name: string;
  idPrefix: string;
  value: string | null;
  /** `[value, text]` pairs. */
  options: readonly (readonly [string, string])[];
  anyLabel: string;
  onChange: (name: string, value: string | null) => void;
  className?: string;
}) {
  const id = `${props.idPrefix}-${props.name}`;
  return (
    <div className={props.className}>
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        value={props.value ?? ''}
        onChange={(e) => props.onChange(props.name, e.target.value || null)}
      >
        <option value="">{props.anyLabel}</option>
        {props.options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
        {props.value && !props.options.some(([v]) => v === props.value) && (
          <option value={props.value}>{props.value}</option>
        )}
      </select>
    </div>
  );
}
