import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { resolveTurnBranch } from '../chat/turn-branch.ts';
import { openDatabase, type Database } from '../storage/database.ts';
import { createIdGenerator } from '../storage/ids.ts';
import { migrateToLatest } from '../storage/migrate.ts';
import { activePath, childrenIndex, pathTo } from '../storage/repositories/message-tree.ts';
import { appModelRepositories, type AppModelRepositories } from './app-model-repositories.ts';

type Operation =
  | { kind: 'send' }
  | { kind: 'edit'; pick: number }
  | { kind: 'regenerate'; pick: number }
  | { kind: 'switch'; pick: number };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.constant({ kind: 'send' as const }),
  fc.record({ kind: fc.constant('edit' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('regenerate' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('switch' as const), pick: fc.nat() }),
);

/**
 * Random sequences of sends, edits, regenerations and branch switches, played through the same
 * history selection (resolveTurnBranch) and message store the chat service uses: after every
 * step the active branch is one root-to-leaf chain, the listed messages are that chain, and the
 * history a turn would send the model is exactly the chain above its new message.
 */
describe('message tree invariants (property-based, sqlite)', () => {
  let database: Database;
  let repositories: AppModelRepositories;
  const newId = createIdGenerator();
  const userId = 'user-1';
  let conversationCounter = 0;

  before(async () => {
    database = openDatabase({ dialect: 'sqlite', path: ':memory:' });
    await migrateToLatest(database);
    const at = new Date().toISOString();
    await database.db.insertInto('users').values({
      id: userId, username: 'u', usernameKey: 'u', email: null, emailKey: null, name: null, passwordHash: 'x', role: 'user',
      permissionLevel: 1, workspacePath: null, isActive: 1, isGuest: 0, createdAt: at, updatedAt: at,
    }).execute();
    repositories = appModelRepositories(database.db, database.dialect);
  });
  after(() => database.close());

  async function assertActiveChain(conversationId: string): Promise<string[]> {
    const tree = await repositories.tree.load(userId, conversationId);
    const path = activePath(tree);
    const byId = new Map(tree.nodes.map((node) => [node.id, node]));
    const { children } = childrenIndex(tree.nodes);
    if (tree.nodes.length > 0) {
      assert.ok(path.length > 0, 'a non-empty conversation has an active branch');
      assert.equal(byId.get(path[0]!)!.parentId, null, 'the branch starts at a root');
      for (let index = 1; index < path.length; index += 1) assert.equal(byId.get(path[index]!)!.parentId, path[index - 1], 'each message is its predecessor’s child');
      assert.equal(children.get(path.at(-1)!)?.length ?? 0, 0, 'the branch ends at a leaf');
    }
    const listed = await repositories.messages.listForConversation(userId, conversationId, {});
    assert.deepEqual(listed.map((message) => message.id), path, 'lists show the active branch');
    return path;
  }

  async function turn(conversationId: string, request: { parentMessageId?: string | null; regenerateMessageId?: string }, expectedHistory: string[]) {
    const branch = await resolveTurnBranch(repositories.messages, { userId, conversationId, ...request });
    assert.deepEqual(branch.history.map((message) => message.id), expectedHistory, 'the model sees exactly the chain above the new message');
    const at = new Date().toISOString();
    const userMessageId = branch.regenerated?.id ?? newId();
    const assistantId = newId();
    await repositories.messages.createMany(userId, conversationId, [
      ...(branch.regenerated ? [] : [{ id: userMessageId, role: 'user' as const, content: 'question', parentId: branch.parentId, now: at }]),
      { id: assistantId, role: 'assistant', content: 'answer', parentId: userMessageId, now: at },
    ]);
    const path = await assertActiveChain(conversationId);
    assert.equal(path.at(-1), assistantId, 'the new answer is the active leaf');
    // The new branch is the history the model saw, then the user message, then the new answer.
    assert.deepEqual(path, [...expectedHistory, userMessageId, assistantId]);
  }

  it('keeps the active branch one root-to-leaf chain that equals the model history', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 25 }), async (operations) => {
        conversationCounter += 1;
        const conversationId = `conversation-${conversationCounter}`;
        await repositories.conversations.create(userId, { id: conversationId, title: 't', now: new Date().toISOString() });
        for (const step of operations) {
          const tree = await repositories.tree.load(userId, conversationId);
          const all = await repositories.messages.listForConversation(userId, conversationId, { branch: 'all' });
          const users = all.filter((message) => message.role === 'user');
          if (step.kind === 'send' || (step.kind !== 'switch' && users.length === 0) || all.length === 0) {
            await turn(conversationId, {}, activePath(tree));
          } else if (step.kind === 'edit') {
            const edited = users[step.pick % users.length]!;
            await turn(conversationId, { parentMessageId: edited.parentId }, edited.parentId === null ? [] : pathTo(tree.nodes, edited.parentId));
          } else if (step.kind === 'regenerate') {
            const asked = users[step.pick % users.length]!;
            await turn(conversationId, { regenerateMessageId: asked.id }, asked.parentId === null ? [] : pathTo(tree.nodes, asked.parentId));
          } else {
            const chosen = all[step.pick % all.length]!;
            await repositories.tree.select(userId, conversationId, chosen.id);
            const path = await assertActiveChain(conversationId);
            assert.ok(path.includes(chosen.id), 'the switched-to message is on the active branch');
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});
