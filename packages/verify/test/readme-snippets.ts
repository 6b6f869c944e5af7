import fs from 'node:fs';

/**
 * The code examples of the package README, as the pack-and-install test runs them. A block meant
 * to be run names its file after the language: ```` ```js server.cjs ````. GitHub and npm show
 * only the language, so the README reads as usual, and the test runs exactly what a blog owner
 * would copy: change the README and the test changes with it.
 */
export interface Snippet {
  readonly language: string;
  readonly fileName: string;
  readonly code: string;
}

const FENCED_BLOCK = /^```(\w+) +(\S+)[ \t]*\n([\s\S]*?)^```[ \t]*$/gm;

/** Every named block of the README, by file name. */
export function readmeSnippets(readmePath: string): ReadonlyMap<string, Snippet> {
  const readme = fs.readFileSync(readmePath, 'utf8');
  const snippets = new Map<string, Snippet>();
  for (const [, language, fileName, code] of readme.matchAll(FENCED_BLOCK)) {
    if (snippets.has(fileName!)) throw new Error(`${readmePath}: two code blocks are named ${fileName}`);
    snippets.set(fileName!, { language: language!, fileName: fileName!, code: code! });
  }
  return snippets;
}

/** The snippet named `fileName`; throws, naming the ones there are, when the README has none. */
export function snippetNamed(snippets: ReadonlyMap<string, Snippet>, fileName: string): Snippet {
  const snippet = snippets.get(fileName);
  if (snippet === undefined) {
    throw new Error(`the README has no code block named ${fileName} (it names: ${[...snippets.keys()].join(', ')})`);
  }
  return snippet;
}

/**
 * The snippet with its example values (the README's issuer, audience, site id, port) replaced by
 * the test's. Every one of `replacements` must occur: a README that stopped using an example value
 * would otherwise run against the wrong gateway and fail for a reason no one could read.
 */
export function withValues(snippet: Snippet, replacements: Readonly<Record<string, string>>): string {
  let code = snippet.code;
  for (const [example, value] of Object.entries(replacements)) {
    if (!code.includes(example)) throw new Error(`${snippet.fileName} in the README no longer contains ${example}`);
    code = code.split(example).join(value);
  }
  return code;
}
