/** Reads wharf's ops endpoints the way Prometheus and an operator would. */
export type Scrape = Map<string, number>;

/** Every series of one scrape; `types` (if given) receives each family's declared type. */
export async function scrape(opsUrl: string, types?: Map<string, string>): Promise<Scrape> {
  const text = await (await fetch(`${opsUrl}/metrics`)).text();
  const series: Scrape = new Map();
  for (const line of text.split('\n')) {
    const declared = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (declared) types?.set(declared[1], declared[2]);
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    series.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return series;
}

export async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as T };
}

export interface TopologyNode {
  id: string;
  kind: string;
  actor?: string;
  mode?: string;
  state: string;
  pid?: number;
  restarts: number;
  lastError?: string;
  children?: TopologyNode[];
}

export function findNode(tree: TopologyNode, id: string): TopologyNode | undefined {
  if (tree.id === id) return tree;
  for (const child of tree.children ?? []) {
    const found = findNode(child, id);
    if (found) return found;
  }
  return undefined;
}
