/**
 * machinery/protobuf: reads the Kubernetes protobuf encoding (`application/vnd.kubernetes.protobuf`)
 * that kubectl's typed clients use for some request bodies (`kubectl create <generator>`,
 * `kubectl auth can-i`), and turns it into the JSON object a JSON client would have sent.
 *
 * Owns: the wire reader (wire.ts), the message decoder (decode.ts) and the message facts in
 * generated/messages.json (written by scripts/gen-proto.ts from upstream generated.proto files).
 * Imports: nothing from the project (Node built-ins only).
 */
export { ProtobufDecodeError, WireReader, WireType } from './wire.js';
export type { FieldTag } from './wire.js';
export {
  MAGIC,
  decodeKubernetesProtobuf,
  formatDuration,
  formatTime,
  hasKubernetesProtobufMagic,
  messageNameFor,
} from './decode.js';
export type { DecodeKubernetesProtobufOptions, DecodedObject } from './decode.js';

/** The media type of Kubernetes protobuf bodies. */
export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';
