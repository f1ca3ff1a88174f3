/** A page's search parameters as Next.js gives them to a server component. */
export type PageSearchParams = Promise<Record<string, string | string[] | undefined>>;

/** The first value of a search parameter; undefined when absent or empty. */
export function firstParam(value: string | string[] | undefined): string | undefined {
  return (Array.isArray(value) ? value[0] : value) || undefined;
}
