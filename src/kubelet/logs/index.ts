/**
 * src/kubelet/logs: reading container logs in the CRI log format (containerd writes them under the pod's
 * log directory) for the kubelet API's /containerLogs. Imports Node built-ins only.
 */
export { formatTimestamp, LineAssembler, LineSplitter, parseCriLog, parseCriLogLine, parseTime } from './cri-log.js';
export type { CriLogEntry, LogLine, LogStream } from './cri-log.js';
export { streamContainerLog } from './reader.js';
export type { FollowContext, LogOptions, LogSink } from './reader.js';
export { rotatedFiles, startContainerLogRotation } from './rotation.js';
export type { LogRotation, LogRotationOptions } from './rotation.js';
