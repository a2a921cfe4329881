/** Draws a tree as indented text lines with box-drawing branches (for status and check-config). */
export interface TextNode {
  label: string;
  children?: TextNode[];
}

export function renderTree(root: TextNode): string {
  const lines = [root.label];
  const walk = (nodes: TextNode[], prefix: string) =>
    nodes.forEach((node, i) => {
      const last = i === nodes.length - 1;
      lines.push(`${prefix}${last ? '└─ ' : '├─ '}${node.label}`);
      walk(node.children ?? [], `${prefix}${last ? '   ' : '│  '}`);
    });
  walk(root.children ?? [], '');
  return `${lines.join('\n')}\n`;
}
