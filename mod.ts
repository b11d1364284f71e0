/**
 * A Kademlia distributed hash table for Deno, Bun and Node: start a node, join a network,
 * store and find values. One platform-neutral core speaks KRPC (BEP 5) in bencode or JSON
 * over an abstract datagram transport; the runtime's own UDP socket is picked automatically.
 *
 * @example
 * ```ts
 * import { KademliaNode } from "@kdht/core";
 *
 * await using seed = new KademliaNode({ serialization: "bencode" });
 * await using node = new KademliaNode({ serialization: "bencode" });
 * const { host, port } = await seed.listen(0);
 * await node.listen(0);
 * await node.bootstrap([[host, port]]);
 * await node.set("my_key", "my_value");
 * console.log(await seed.get("my_key")); // "my_value"
 * ```
 *
 * @module
 */
import "./adapters/defaults.ts";
export { KademliaNode } from "./src/node.ts";
export type { KademliaNodeListener } from "./src/node.ts";
export {
  LookupFinishedEvent,
  PeerAddedEvent,
  PeerRemovedEvent,
  QueryReceivedEvent,
  ValueStoredEvent,
  WarningEvent,
} from "./src/events/node_events.ts";
export type {
  KademliaNodeEventMap,
  LookupSummary,
  StoredSummary,
} from "./src/events/node_events.ts";
export { createLogger, formatFields, LOG_LEVELS } from "./src/events/logger.ts";
export type { CreateLoggerOptions, LogFields, Logger, LogLevel } from "./src/events/logger.ts";
export { formatPrometheus, PROMETHEUS_CONTENT_TYPE } from "./src/metrics/prometheus.ts";
export type { PrometheusOptions } from "./src/metrics/prometheus.ts";
export type { HistogramSnapshot } from "./src/metrics/histogram.ts";
export type { LookupHistograms } from "./src/metrics/lookup_stats.ts";
export type { KademliaNodeOptions, NodeMode } from "./src/node_options.ts";
export type { LifecycleOptions } from "./src/maintenance/lifecycle_options.ts";
export type { StateStore } from "./src/state/state_store.ts";
export type {
  BootstrapResult,
  FindNodeOptions,
  FindProvidersOptions,
  FindValueResult,
  GetMutableOptions,
  GetOptions,
  ItemPutFailure,
  MaintenanceStats,
  MutableItemResult,
  NodeStats,
  OperationOptions,
  PingResult,
  ProvidedKey,
  ProvideOptions,
  ProvideResult,
  ProviderInfo,
  PutMutableOptions,
  PutMutableResult,
  QueryFailure,
  QueryFailureReason,
  RecordResult,
  SetOptions,
  SetResult,
  StoreFailure,
} from "./src/node_results.ts";
export { ed25519, generateKeyPair } from "./adapters/ed25519.ts";
export type { Ed25519, Ed25519KeyPair } from "./src/records/ed25519.ts";
export type { ItemValue, ItemValueInput } from "./src/records/item_value.ts";
export type { SecureContacts } from "./src/routing/keeper.ts";
export { queryEvents } from "./src/query_events.ts";
export type { QueryDone, QueryEvent, QueryEventOptions } from "./src/query_events.ts";
export { namespaceOf, publicKeyValidator } from "./src/records/validators.ts";
export type { Validator } from "./src/records/validators.ts";
export { Peer } from "./src/peer.ts";
export type { PeerJson } from "./src/peer.ts";
export { generateNodeId, hashKeyToNodeId, xorDistance } from "./src/id/node_id.ts";
export {
  BootstrapError,
  DecodeError,
  NodeStateError,
  ProtocolError,
  PutError,
  RpcError,
  TimeoutError,
  TransportError,
  ValidationError,
} from "./src/errors.ts";
export type {
  BootstrapFailure,
  BootstrapFailureReason,
  PutFailure,
  TransportErrorCode,
  ValidationErrorCode,
} from "./src/errors.ts";
export { systemClock } from "./src/clock.ts";
export type { Clock, Timer } from "./src/clock.ts";
export { cryptoRandom, SeededRandom } from "./src/random.ts";
export type { Random } from "./src/random.ts";
export { MemoryStorage } from "./src/records/memory_storage.ts";
export type { MemoryStorageOptions } from "./src/records/memory_storage.ts";
export type {
  PutRefusal,
  PutResult,
  RecordSource,
  Storage,
  StorageStats,
  StoredRecord,
} from "./src/records/storage.ts";
export { DEFAULT_MAX_DATAGRAM_SIZE, MAX_UDP_PAYLOAD } from "./src/transport/datagram_transport.ts";
export type {
  Address,
  BindOptions,
  DatagramHandler,
  DatagramTransport,
  TransportFactory,
} from "./src/transport/datagram_transport.ts";
export type { AddressLike } from "./src/transport/address.ts";
export { createUdpTransport } from "./adapters/runtime.ts";
export { BencodeCodec } from "./src/wire/bencode.ts";
export { JsonCodec } from "./src/wire/json.ts";
export type { Codec, Serialization, WireDict, WireValue } from "./src/wire/codec.ts";
export type { DropReason, RpcStats } from "./src/rpc/rpc_stats.ts";
export type { ContactHealth } from "./src/routing/contact.ts";
export type { TypedValue } from "./src/wire/value.ts";
