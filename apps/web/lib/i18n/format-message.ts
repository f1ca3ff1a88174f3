// Dictionaries hold plain strings with {placeholders} so they stay serializable
// and can be handed from server components to client components as props.
export function formatMessage(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (match, key: string) => (key in values ? String(values[key]) : match));
}
