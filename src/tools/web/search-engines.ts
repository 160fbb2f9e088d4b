import { AppError } from '../../errors/app-error.ts';

export interface SearchResult {
  title: string;
  url: string;
  snippet: string;
}

const isWebUrl = (value: string) => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
};

const oneLine = (text: string | null | undefined) => (text ?? '').replace(/\s+/g, ' ').trim();

/** SearXNG's `/search?format=json` URL for a query. */
export function searxngSearchUrl(baseUrl: string, query: string): URL {
  const url = new URL('search', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  url.searchParams.set('q', query);
  url.searchParams.set('format', 'json');
  return url;
}

/** Reads SearXNG's JSON answer: `{results: [{title, url, content}]}`. */
export function parseSearxngResults(body: unknown): SearchResult[] {
  const results = (body as { results?: unknown } | null)?.results;
  if (!Array.isArray(results)) throw new AppError('TOOL_UPSTREAM_ERROR', 'SearXNG answered without a results list');
  return results.flatMap((entry: { title?: unknown; url?: unknown; content?: unknown }) => {
    const url = typeof entry?.url === 'string' ? entry.url : '';
    if (!isWebUrl(url)) return [];
    return [{ title: oneLine(String(entry.title ?? '')) || url, url, snippet: oneLine(typeof entry.content === 'string' ? entry.content : '') }];
  });
}

/** DuckDuckGo's HTML search page for a query (`?q=`). */
export function duckduckgoSearchUrl(baseUrl: string, query: string): URL {
  const url = new URL(baseUrl);
  url.searchParams.set('q', query);
  return url;
}

/**
 * DuckDuckGo's result links go through its redirector (`//duckduckgo.com/l/?uddg=<target>&rut=…`);
 * the target is the `uddg` parameter. Direct http(s) links are taken as they are.
 */
export function decodeDuckduckgoLink(href: string): string | undefined {
  let url: URL;
  try {
    url = new URL(href, 'https://duckduckgo.com');
  } catch {
    return undefined;
  }
  const target = url.searchParams.get('uddg');
  if (target !== null) return isWebUrl(target) ? target : undefined;
  const isRedirector = /(^|\.)duckduckgo\.com$/.test(url.hostname) && url.pathname.startsWith('/l/');
  return !isRedirector && isWebUrl(url.href) ? url.href : undefined;
}

/** Reads DuckDuckGo's HTML results page; ads (`.result--ad`) are skipped. */
export async function parseDuckduckgoResults(html: string): Promise<SearchResult[]> {
  const { parseHTML } = await import('linkedom');
  const { document } = parseHTML(html);
  const results: SearchResult[] = [];
  for (const block of document.querySelectorAll('.result')) {
    if (block.classList.contains('result--ad')) continue;
    const link = block.querySelector('a.result__a');
    const url = decodeDuckduckgoLink(link?.getAttribute('href') ?? '');
    if (!link || !url) continue;
    const snippet = oneLine(block.querySelector('.result__snippet')?.textContent);
    results.push({ title: oneLine(link.textContent) || url, url, snippet });
  }
  return results;
}
