/**
 * controllers/deployment/: upstream's deployment controller. A Deployment owns ReplicaSets
 * named `<deployment>-<pod-template-hash>` (one per distinct pod template, revision-numbered by
 * annotation) and rolls from the old ones to the new one by RollingUpdate or Recreate, keeping
 * status and the Available/Progressing conditions that `kubectl rollout status` and `kubectl wait`
 * read. Files: hash.ts (pod-template-hash), util.ts (pure arithmetic, annotations, conditions),
 * rollout.ts (one sync), controller.ts (handlers, ReplicaSet writes). Uses src/client/ only.
 */
export { DeploymentController } from './controller.js';
export { computeHash, fnv32a, safeEncodeString } from './hash.js';
