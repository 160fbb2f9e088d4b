import type TurndownService from 'turndown';
import type { parseHTML } from 'linkedom';

export type PageFormat = 'markdown' | 'text';

export interface ReadablePage {
  title: string;
  /** The page's own summary, when it has one. */
  description?: string;
  siteName?: string;
  content: string;
}

/** Elements that never hold readable text; removed before extraction. */
const noiseSelector = 'script, style, noscript, template, iframe, object, embed, svg, canvas';

type LinkedomDocument = ReturnType<typeof parseHTML>['document'];

/** Links and images become absolute, so a model can follow them. */
function absolutiseLinks(document: LinkedomDocument, baseUrl: string): void {
  for (const [selector, attribute] of [['a[href]', 'href'], ['img[src]', 'src']] as const) {
    for (const element of document.querySelectorAll(selector)) {
      const value = element.getAttribute(attribute) ?? '';
      try {
        const absolute = new URL(value, baseUrl);
        // javascript: and data: links are noise at best; drop the link, keep the text.
        if (absolute.protocol === 'http:' || absolute.protocol === 'https:') element.setAttribute(attribute, absolute.href);
        else element.removeAttribute(attribute);
      } catch {
        element.removeAttribute(attribute);
      }
    }
  }
}

const collapseBlankLines = (text: string) => text.replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();

function createTurndown(Turndown: typeof TurndownService): TurndownService {
  const turndown = new Turndown({ headingStyle: 'atx', codeBlockStyle: 'fenced', bulletListMarker: '-' });
  turndown.remove(['script', 'style', 'noscript', 'iframe']);
  return turndown;
}

/**
 * The readable part of an HTML page, as markdown or plain text: Mozilla's Readability picks the
 * article (dropping navigation, ads and footers); pages it cannot read fall back to the body.
 * Nothing here runs the page's scripts or loads its resources (linkedom has no such machinery).
 */
export async function readableFromHtml(html: string, pageUrl: string, format: PageFormat): Promise<ReadablePage> {
  // Loaded on first use: a server that never fetches a page never pays for the HTML libraries.
  const [{ parseHTML }, { Readability }, { default: Turndown }] = await Promise.all([
    import('linkedom'),
    import('@mozilla/readability'),
    import('turndown'),
  ]);
  const { document } = parseHTML(html);
  for (const element of document.querySelectorAll(noiseSelector)) element.remove();
  absolutiseLinks(document, pageUrl);
  const pageTitle = document.querySelector('title')?.textContent?.trim() ?? '';
  const description = document.querySelector('meta[name="description"]')?.getAttribute('content')?.trim() || undefined;
  const bodyHtml = document.body?.innerHTML ?? document.toString();
  const bodyText = document.body?.textContent ?? '';

  // Readability changes the document it reads, so it gets its own copy.
  const article = new Readability(parseHTML(document.toString()).document as unknown as Document).parse();
  const title = article?.title?.trim() || pageTitle;
  const siteName = article?.siteName?.trim() || undefined;
  if (format === 'text') {
    const text = article?.textContent?.trim() ? article.textContent : bodyText;
    return { title, description, siteName, content: collapseBlankLines(text) };
  }
  const markdown = createTurndown(Turndown).turndown(article?.content ?? bodyHtml);
  return { title, description, siteName, content: collapseBlankLines(markdown) };
}
