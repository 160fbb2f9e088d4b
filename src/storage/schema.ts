/**
 * Table shapes as the code sees them (camelCase; CamelCasePlugin maps to snake_case columns).
 * Booleans are stored as 0/1 and timestamps as ISO-8601 text on both dialects, so every query
 * behaves the same on SQLite and PostgreSQL. JSON lives in text columns.
 */
import type { Generated } from 'kysely';

export interface UsersTable {
  id: string;
  username: string;
  usernameKey: string;
  email: string | null;
  emailKey: string | null;
  name: string | null;
  passwordHash: string;
  role: 'user' | 'admin';
  permissionLevel: number;
  workspacePath: string | null;
  isActive: number;
  isGuest: number;
  createdAt: string;
  updatedAt: string;
}

export interface AuthSessionsTable {
  id: string;
  userId: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  revokedAt: string | null;
  revokedReason: string | null;
  userAgent: string | null;
  ip: string | null;
}

export interface RefreshTokensTable {
  id: string;
  sessionId: string;
  userId: string;
  tokenHash: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
}

export interface ApiKeysTable {
  id: string;
  userId: string;
  name: string;
  keyHash: string;
  keyPrefix: string;
  keyLast4: string;
  permissionLevel: number | null;
  isActive: number;
  createdAt: string;
  updatedAt: string;
  lastUsedAt: string | null;
}

export interface ConversationsTable {
  id: string;
  userId: string;
  projectId: string | null;
  agentId: string | null;
  title: string;
  model: string | null;
  providerId: string | null;
  systemPrompt: string | null;
  temperature: number | null;
  maxTokens: number | null;
  thinkingEnabled: number;
  isActive: number;
  metadata: string;
  createdAt: string;
  updatedAt: string;
  /** 0004: LobeChat's session group, favourite topic flag, and the message selecting the active branch. */
  sessionGroupId: Generated<string | null>;
  favorite: Generated<number>;
  activeMessageId: Generated<string | null>;
}

export interface MessagesTable {
  id: string;
  conversationId: string;
  userId: string;
  parentId: string | null;
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  steps: string;
  attachments: string;
  tokenCount: number;
  usage: string | null;
  status: 'generating' | 'complete' | 'cancelled' | 'incomplete' | 'failed';
  metadata: string;
  model: string | null;
  error: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface AuditLogTable {
  id: string;
  at: string;
  actorUserId: string | null;
  actorApiKeyId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  result: 'success' | 'failure' | 'denied';
  ip: string | null;
  requestId: string | null;
  details: string | null;
}

export interface ProvidersTable {
  id: string;
  userId: string | null;
  name: string;
  providerType: string;
  baseUrl: string | null;
  apiKeyCipher: string | null;
  apiKeyHint: string | null;
  defaultModel: string | null;
  models: string;
  maxTokens: number | null;
  contextWindow: number | null;
  isDefault: number;
  enabled: number;
  fallbackProviderId: string | null;
  fallbackModel: string | null;
  settings: string;
  createdAt: string;
  updatedAt: string;
}

export interface UsageRecordsTable {
  id: string;
  userId: string | null;
  apiKeyId: string | null;
  providerId: string | null;
  providerType: string | null;
  model: string;
  surface: string;
  conversationId: string | null;
  messageId: string | null;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  cachedTokens: number;
  totalTokens: number;
  usageEstimated: number;
  latencyMs: number;
  timeToFirstTokenMs: number | null;
  status: 'success' | 'error' | 'cancelled';
  errorCode: string | null;
  attempt: number;
  createdAt: string;
}

export interface TurnRequestsTable {
  userId: string;
  idempotencyKey: string;
  requestHash: string;
  conversationId: string;
  userMessageId: string;
  assistantMessageId: string;
  createdAt: string;
}

export interface AgentsTable {
  id: string;
  userId: string | null;
  source: 'admin' | 'file' | 'user';
  name: string;
  description: string;
  category: string | null;
  provider: string;
  avatar: string | null;
  status: 'active' | 'inactive';
  visibility: 'private' | 'public';
  capabilities: string;
  config: string;
  tools: string;
  knowledgeBaseIds: string;
  createdAt: string;
  updatedAt: string;
  /** 0004: the LobeChat session group the agent is filed in. */
  sessionGroupId: Generated<string | null>;
  /** 0007: the provider made for an agent that carries its own endpoint and key; removed with it. */
  endpointProviderId: Generated<string | null>;
  /** 0007: the remote app's id (FastGPT's appId), when the agent names one. */
  appId: Generated<string | null>;
}

export interface PlatformConversationsTable {
  conversationId: string;
  providerId: string;
  externalId: string;
  updatedAt: string;
}

export interface McpServersTable {
  id: string;
  userId: string;
  name: string;
  transport: 'streamable-http' | 'sse';
  url: string;
  description: string | null;
  headersCipher: string | null;
  headerHints: string;
  enabled: number;
  createdAt: string;
  updatedAt: string;
}

export interface PluginSettingsTable {
  userId: string;
  identifier: string;
  settingsCipher: string;
  settingHints: string;
  createdAt: string;
  updatedAt: string;
}

export interface SessionGroupsTable {
  id: string;
  userId: string;
  name: string;
  sortIndex: number;
  createdAt: string;
  updatedAt: string;
}

/** A thread is a conversation (same id) branched from a message of another conversation. */
export interface ThreadsTable {
  id: string;
  userId: string;
  sourceConversationId: string;
  sourceMessageId: string;
  parentThreadId: string | null;
  type: 'continuation' | 'standalone';
  status: 'active' | 'deprecated' | 'archived';
  createdAt: string;
  updatedAt: string;
}

/** 0006: one row per upload; the bytes are the user's blob with the same SHA-256. */
export interface FilesTable {
  id: string;
  userId: string;
  name: string;
  mimeType: string;
  size: number;
  sha256: string;
  createdAt: string;
}

/** 0006: a user's distinct file contents, and where their bytes are kept. */
export interface FileBlobsTable {
  userId: string;
  sha256: string;
  size: number;
  storage: 'local' | 'database';
  location: string | null;
  createdAt: string;
}

/** 0006: the bytes of blobs kept by the database store. */
export interface FileBlobContentsTable {
  userId: string;
  sha256: string;
  data: Uint8Array;
}

/** 0008: a conversation's id as one client named it; the key is (user, client id). */
export interface ConversationClientIdsTable {
  userId: string;
  clientId: string;
  conversationId: string;
  createdAt: string;
}

export interface DatabaseSchema {
  users: UsersTable;
  authSessions: AuthSessionsTable;
  refreshTokens: RefreshTokensTable;
  apiKeys: ApiKeysTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  auditLog: AuditLogTable;
  providers: ProvidersTable;
  usageRecords: UsageRecordsTable;
  turnRequests: TurnRequestsTable;
  agents: AgentsTable;
  platformConversations: PlatformConversationsTable;
  sessionGroups: SessionGroupsTable;
  threads: ThreadsTable;
  mcpServers: McpServersTable;
  pluginSettings: PluginSettingsTable;
  files: FilesTable;
  fileBlobs: FileBlobsTable;
  fileBlobContents: FileBlobContentsTable;
  conversationClientIds: ConversationClientIdsTable;
}

