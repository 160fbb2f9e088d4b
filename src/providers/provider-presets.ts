/**
 * Vendors that speak the OpenAI chat-completions wire format, one row each: choosing a preset
 * fills in the base URL and a few known models. Context windows are the vendors' published
 * figures; a provider row's own `context_window` overrides them.
 */
export interface ProviderPreset {
  name: string;
  displayName: string;
  baseUrl: string;
  /** The environment variable that creates this vendor's system provider (see config/schema.ts). */
  environmentVariable: string;
  /** Other names clients use for the vendor (LobeChat's provider ids among them). */
  aliases: readonly string[];
  /** Known models, the first being the default; `contextWindow` in tokens. */
  models: readonly { id: string; contextWindow: number }[];
}

export const providerPresets: readonly ProviderPreset[] = [
  {
    name: 'deepseek',
    displayName: 'DeepSeek',
    baseUrl: 'https://api.deepseek.com/v1',
    environmentVariable: 'DEEPSEEK_API_KEY',
    aliases: [],
    models: [
      { id: 'deepseek-chat', contextWindow: 131_072 },
      { id: 'deepseek-reasoner', contextWindow: 131_072 },
    ],
  },
  {
    name: 'groq',
    displayName: 'Groq',
    baseUrl: 'https://api.groq.com/openai/v1',
    environmentVariable: 'GROQ_API_KEY',
    aliases: [],
    models: [
      { id: 'llama-3.3-70b-versatile', contextWindow: 131_072 },
      { id: 'llama-3.1-8b-instant', contextWindow: 131_072 },
      { id: 'openai/gpt-oss-120b', contextWindow: 131_072 },
    ],
  },
  {
    name: 'openrouter',
    displayName: 'OpenRouter',
    baseUrl: 'https://openrouter.ai/api/v1',
    environmentVariable: 'OPENROUTER_API_KEY',
    aliases: [],
    models: [
      { id: 'openai/gpt-4o-mini', contextWindow: 128_000 },
      { id: 'anthropic/claude-sonnet-4', contextWindow: 200_000 },
      { id: 'google/gemini-2.5-flash', contextWindow: 1_048_576 },
    ],
  },
  {
    name: 'mistral',
    displayName: 'Mistral AI',
    baseUrl: 'https://api.mistral.ai/v1',
    environmentVariable: 'MISTRAL_API_KEY',
    aliases: [],
    models: [
      { id: 'mistral-large-latest', contextWindow: 131_072 },
      { id: 'mistral-small-latest', contextWindow: 131_072 },
      { id: 'codestral-latest', contextWindow: 256_000 },
    ],
  },
  {
    name: 'xai',
    displayName: 'xAI',
    baseUrl: 'https://api.x.ai/v1',
    environmentVariable: 'XAI_API_KEY',
    aliases: ['grok'],
    models: [
      { id: 'grok-4', contextWindow: 256_000 },
      { id: 'grok-3', contextWindow: 131_072 },
      { id: 'grok-3-mini', contextWindow: 131_072 },
    ],
  },
  {
    name: 'together',
    displayName: 'Together AI',
    baseUrl: 'https://api.together.xyz/v1',
    environmentVariable: 'TOGETHER_API_KEY',
    aliases: ['togetherai'],
    models: [
      { id: 'meta-llama/Llama-3.3-70B-Instruct-Turbo', contextWindow: 131_072 },
      { id: 'deepseek-ai/DeepSeek-V3', contextWindow: 131_072 },
      { id: 'Qwen/Qwen2.5-72B-Instruct-Turbo', contextWindow: 32_768 },
    ],
  },
  {
    name: 'fireworks',
    displayName: 'Fireworks AI',
    baseUrl: 'https://api.fireworks.ai/inference/v1',
    environmentVariable: 'FIREWORKS_API_KEY',
    aliases: ['fireworksai'],
    models: [
      { id: 'accounts/fireworks/models/llama-v3p3-70b-instruct', contextWindow: 131_072 },
      { id: 'accounts/fireworks/models/deepseek-v3', contextWindow: 131_072 },
    ],
  },
  {
    name: 'moonshot',
    displayName: 'Moonshot (Kimi)',
    baseUrl: 'https://api.moonshot.cn/v1',
    environmentVariable: 'MOONSHOT_API_KEY',
    aliases: ['kimi'],
    models: [
      { id: 'kimi-k2-0711-preview', contextWindow: 131_072 },
      { id: 'moonshot-v1-128k', contextWindow: 131_072 },
      { id: 'moonshot-v1-32k', contextWindow: 32_768 },
      { id: 'moonshot-v1-8k', contextWindow: 8_192 },
    ],
  },
  {
    name: 'dashscope',
    displayName: 'Qwen (DashScope)',
    baseUrl: 'https://dashscope.aliyuncs.com/compatible-mode/v1',
    environmentVariable: 'DASHSCOPE_API_KEY',
    aliases: ['qwen'],
    models: [
      { id: 'qwen-plus', contextWindow: 131_072 },
      { id: 'qwen-max', contextWindow: 32_768 },
      { id: 'qwen-turbo', contextWindow: 1_000_000 },
    ],
  },
  {
    name: 'zhipu',
    displayName: 'Zhipu (GLM)',
    baseUrl: 'https://open.bigmodel.cn/api/paas/v4',
    environmentVariable: 'ZHIPU_API_KEY',
    aliases: ['glm'],
    models: [
      { id: 'glm-4.5', contextWindow: 131_072 },
      { id: 'glm-4-plus', contextWindow: 128_000 },
      { id: 'glm-4-flash', contextWindow: 128_000 },
    ],
  },
  {
    name: 'siliconflow',
    displayName: 'SiliconFlow',
    baseUrl: 'https://api.siliconflow.cn/v1',
    environmentVariable: 'SILICONFLOW_API_KEY',
    aliases: ['siliconcloud'],
    models: [
      { id: 'deepseek-ai/DeepSeek-V3', contextWindow: 65_536 },
      { id: 'deepseek-ai/DeepSeek-R1', contextWindow: 65_536 },
      { id: 'Qwen/Qwen2.5-72B-Instruct', contextWindow: 32_768 },
    ],
  },
  {
    name: 'perplexity',
    displayName: 'Perplexity',
    baseUrl: 'https://api.perplexity.ai',
    environmentVariable: 'PERPLEXITY_API_KEY',
    aliases: [],
    models: [
      { id: 'sonar', contextWindow: 128_000 },
      { id: 'sonar-pro', contextWindow: 200_000 },
      { id: 'sonar-reasoning', contextWindow: 128_000 },
    ],
  },
];

/** The preset called `name` or one of its aliases, case-insensitively. */
export function findPreset(name: string): ProviderPreset | undefined {
  const wanted = name.trim().toLowerCase();
  return providerPresets.find((preset) => preset.name === wanted || preset.aliases.includes(wanted));
}
