/**
 * Counts tokens with gpt-tokenizer (o200k, tiktoken's counts) where a provider reports none.
 * The encoder takes about 200 ms to load, so it loads on first use, not at start-up.
 */
export interface TokenCounter {
  count(text: string): Promise<number>;
}

export function createTokenCounter(): TokenCounter {
  let loading: Promise<(text: string) => number> | undefined;
  const load = () => (loading ??= import('gpt-tokenizer').then((module) => module.countTokens));
  return {
    async count(text) {
      if (text === '') return 0;
      const countTokens = await load();
      return countTokens(text);
    },
  };
}
