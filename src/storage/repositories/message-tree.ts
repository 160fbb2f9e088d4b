import type { Selectable } from 'kysely';
import type { MessagesTable } from '../schema.ts';

/**
 * A conversation's messages form a tree through `parent_id`. One message, stored per
 * conversation (`conversations.active_message_id`), selects the active branch: the active leaf
 * is its newest descendant (by id; ids are UUIDv7, so newest means created last), and the active
 * path is the chain from the root down to that leaf. See docs/decisions/0006-message-tree-and-app-model.md.
 *
 * These functions are pure, so the invariants can be tested on random trees.
 */
export type TreeNode = Pick<Selectable<MessagesTable>, 'id' | 'parentId'>;

export interface MessageTree {
  /** Every message of the conversation, oldest first. */
  nodes: TreeNode[];
  /** The stored selection; a missing or deleted one selects the newest message overall. */
  selectedId: string | null;
}

/** Children of each message, oldest first; a parent that is not in the tree makes its child a root. */
export function childrenIndex(nodes: TreeNode[]): { roots: TreeNode[]; children: Map<string, TreeNode[]> } {
  const known = new Set(nodes.map((node) => node.id));
  const children = new Map<string, TreeNode[]>();
  const roots: TreeNode[] = [];
  for (const node of [...nodes].sort(byId)) {
    if (node.parentId === null || !known.has(node.parentId) || node.parentId === node.id) {
      roots.push(node);
      continue;
    }
    const siblings = children.get(node.parentId) ?? [];
    siblings.push(node);
    children.set(node.parentId, siblings);
  }
  return { roots, children };
}

function byId(left: TreeNode, right: TreeNode): number {
  return left.id < right.id ? -1 : left.id > right.id ? 1 : 0;
}

/** The message itself and everything below it. */
export function subtreeIds(nodes: TreeNode[], id: string): Set<string> {
  const { children } = childrenIndex(nodes);
  const found = new Set<string>();
  const pending = [id];
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (found.has(next)) continue;
    found.add(next);
    for (const child of children.get(next) ?? []) pending.push(child.id);
  }
  return found;
}

/** From the root down to this message. */
export function pathTo(nodes: TreeNode[], id: string): string[] {
  const byKey = new Map(nodes.map((node) => [node.id, node]));
  const path: string[] = [];
  const seen = new Set<string>();
  let current = byKey.get(id);
  // `seen` guards against a hand-edited cycle; real parent links always point to older messages.
  while (current && !seen.has(current.id)) {
    seen.add(current.id);
    path.push(current.id);
    current = current.parentId === null ? undefined : byKey.get(current.parentId);
  }
  return path.reverse();
}

/**
 * The leaf the selection resolves to: the newest message at or below the selection, then (for
 * hand-made trees whose links point forward in time) down through the newest children until a
 * leaf. Without a usable selection, the newest message of the whole conversation.
 */
export function activeLeaf(tree: MessageTree): string | undefined {
  if (tree.nodes.length === 0) return undefined;
  const { children } = childrenIndex(tree.nodes);
  const selected = tree.selectedId !== null && tree.nodes.some((node) => node.id === tree.selectedId) ? tree.selectedId : null;
  const candidates = selected === null ? tree.nodes.map((node) => node.id) : [...subtreeIds(tree.nodes, selected)];
  let leaf = candidates.reduce((newest, id) => (id > newest ? id : newest));
  const seen = new Set<string>();
  while ((children.get(leaf)?.length ?? 0) > 0 && !seen.has(leaf)) {
    seen.add(leaf);
    const below = children.get(leaf)!;
    leaf = below[below.length - 1]!.id;
  }
  return leaf;
}

/** The active branch from root to leaf; empty for an empty conversation. */
export function activePath(tree: MessageTree): string[] {
  const leaf = activeLeaf(tree);
  return leaf === undefined ? [] : pathTo(tree.nodes, leaf);
}

/** Messages sharing this one's parent (roots share the null parent), oldest first, itself included. */
export function siblingsOf(nodes: TreeNode[], id: string): TreeNode[] {
  const { roots, children } = childrenIndex(nodes);
  if (!nodes.some((candidate) => candidate.id === id)) return [];
  if (roots.some((root) => root.id === id)) return roots;
  const parentId = nodes.find((candidate) => candidate.id === id)!.parentId!;
  return children.get(parentId) ?? [];
}

/** This message, or its nearest ancestor, that is not removed; null when none survives. */
export function survivingAncestor(nodes: TreeNode[], id: string, removed: Set<string>): string | null {
  const byKey = new Map(nodes.map((node) => [node.id, node]));
  let current: string | null = id;
  const seen = new Set<string>();
  while (current !== null && removed.has(current) && !seen.has(current)) {
    seen.add(current);
    current = byKey.get(current)?.parentId ?? null;
  }
  return current !== null && removed.has(current) ? null : current;
}

/**
 * Where messages removed from the tree leave their children: each survivor whose parent is
 * removed is re-attached to its nearest surviving ancestor (or becomes a root). Returns the
 * survivors whose parent changes.
 */
export function reattachments(nodes: TreeNode[], removed: Set<string>): Map<string, string | null> {
  const changes = new Map<string, string | null>();
  for (const node of nodes) {
    if (removed.has(node.id) || node.parentId === null || !removed.has(node.parentId)) continue;
    changes.set(node.id, survivingAncestor(nodes, node.parentId, removed));
  }
  return changes;
}
