/**
 * `k8ts sim add-node`: runs one simulated node agent in this process against a running cluster
 * (any k8ts or Kubernetes API server), with the identity of the given kubeconfig. The node takes
 * the next free index among the simulated nodes already registered (their sim.k8ts.io/index
 * annotation), which picks its InternalIP (127.0.0.N) and pod range (10.42.N.0/24).
 */
import { findResource } from '../api/resources.js';
import { KubeClient } from '../client/index.js';
import { INDEX_ANNOTATION, SimNode, type SimNodeDefaults } from '../kubelet/sim/index.js';

export interface RunSimNodeOptions {
  kubeconfig: string;
  context?: string;
  name?: string;
  nodeIp?: string;
  node?: SimNodeDefaults;
  log?: (msg: string) => void;
}

export interface RunningSimNode {
  node: SimNode;
  stop(): Promise<void>;
}

/** The smallest index above every simulated node's index already in the cluster. */
export async function nextSimNodeIndex(client: KubeClient): Promise<number> {
  const nodes = await client.listAll(findResource('', 'v1', 'nodes')!);
  let max = 0;
  for (const n of nodes.items) {
    const i = Number(n.metadata?.annotations?.[INDEX_ANNOTATION]);
    if (Number.isInteger(i) && i > max) max = i;
  }
  return max + 1;
}

export async function runSimNode(opts: RunSimNodeOptions): Promise<RunningSimNode> {
  const client = await KubeClient.fromKubeconfig(opts.kubeconfig, opts.context);
  let index: number;
  try {
    index = await nextSimNodeIndex(client);
  } catch (err) {
    client.close();
    throw new Error('list nodes', { cause: err });
  }
  const node = new SimNode({ ...(opts.node ?? {}), index, name: opts.name, internalIP: opts.nodeIp, client, log: opts.log });
  try {
    await node.start();
  } catch (err) {
    await node.close();
    client.close();
    throw err;
  }
  return {
    node,
    async stop() {
      await node.close();
      client.close();
    },
  };
}
