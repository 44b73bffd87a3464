/**
 * src/kubelet/streaming/spdy: the project's own SPDY/3.1 framing (frames, compressed header blocks,
 * a multiplexed session in client or server role). Imports Node built-ins only.
 */
export { SPDY3_DICTIONARY } from './dictionary.js';
export { encodeFrame, FrameReader, FrameType, FLAG_FIN, FLAG_UNIDIRECTIONAL, RstStatus, SPDY_VERSION } from './frames.js';
export type { Frame } from './frames.js';
export { decodeHeaderBlock, encodeHeaderBlock, headerValue, HeaderCompressor, HeaderDecompressor } from './header-block.js';
export type { SpdyHeaders } from './header-block.js';
export { SpdySession, SpdyStream } from './session.js';
