/** DefaultBinder: binds the pod through the API (pods/binding) via the framework handle. */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { success, type BindPlugin, type CycleState, type FrameworkHandle, type Status } from '../framework/index.js';

export const DEFAULT_BINDER = 'DefaultBinder';

export class DefaultBinder implements BindPlugin {
  readonly name = DEFAULT_BINDER;

  constructor(private readonly handle: FrameworkHandle) {}

  async bind(_state: CycleState, pod: Pod, nodeName: string): Promise<Status> {
    await this.handle.bind(pod, nodeName);
    return success();
  }
}
