/**
 * Protocol defaults, in one place (libp2p keeps its `constants.ts` the same way). Options'
 * `@default` docs refer here; no number below is repeated elsewhere in `src/`.
 *
 * @module
 */

/** Bucket size and replication factor (Kademlia paper §2.2). */
export const K = 20;
/** Lookup queries in flight (paper §2.3). */
export const ALPHA = 3;
/**
 * A lookup starts from this many times k of the closest contacts the table knows. The nearer
 * ones are asked first and, once they answer, the rest never are; but when the k nearest are all
 * gone (heavy churn: C3's median session of 5 minutes left whole neighbourhoods of a table dead)
 * the lookup goes on from the next instead of ending with nothing. C3's lookup success went from
 * 94.0 to 98.3 %; on a static network the queries per lookup did not change.
 */
export const LOOKUP_SEEDS_PER_K = 2;

/** The longest a query waits for its reply: the ceiling of the adaptive timeout. */
export const QUERY_TIMEOUT_MS = 2000;
/** The longest a lookup waits on one reply before asking another node in its place. */
export const SLOW_QUERY_MS = 1000;
/** Asynchronous inbound queries (answers still being worked out) handled at once. */
export const MAX_CONCURRENT_QUERIES = 64;

/** The largest value `set` accepts by default, in bytes. */
export const MAX_VALUE_SIZE = 4096;
/** Records a `MemoryStorage` holds by default. */
export const MAX_RECORDS = 65_536;
/** Value bytes a `MemoryStorage` holds by default (64 MiB). */
export const MAX_STORED_BYTES = 64 * 1024 * 1024;

/** A record expires this long after its last publication (kademlia-dynamic: 24 h + 10 s). */
export const RECORD_TTL_MS = 86_410_000;
/** The original publisher publishes its records again this often (paper §2.5: 24 h). */
export const REPUBLISH_INTERVAL_MS = 86_400_000;
/** Other holders re-store what they hold this often (paper §2.5: 1 h). */
export const REPLICATE_INTERVAL_MS = 3_600_000;
/** A bucket with no lookup for this long gets one (paper §2.3: 1 h). */
export const REFRESH_INTERVAL_MS = 3_600_000;
/** The floor of the distance-based TTL of copies cached by `findValue` (kademlia-dynamic). */
export const MIN_CACHE_TTL_MS = 600_000;
/** A node with a `stateFile` saves its state this often, and on `close()`. */
export const SAVE_STATE_INTERVAL_MS = 600_000;
/** Expired records are swept out of storage this often (reads hide them at once). */
export const EXPIRE_SWEEP_INTERVAL_MS = 600_000;
/** Background queries (re-stores, republishes, refreshes, revalidation) in flight at once. */
export const MAINTENANCE_CONCURRENCY = 4;

/**
 * The `v` every message we send carries (BEP 5: two characters naming the client, then two
 * bytes of version): "KD" and 0.1, the package version. Peers use it for statistics only.
 */
export const CLIENT_VERSION: Uint8Array = Uint8Array.of(0x4b, 0x44, 0, 1);

/** BEP 44 items a node holds for others (libtorrent's `max_dht_items`). */
export const MAX_ITEMS = 700;
/** A BEP 44 item expires this long after its last put (BEP 44: "MAY expire in 2 hours"). */
export const ITEM_TTL_MS = 2 * 3_600_000;

/**
 * Distinct responders that must report the same external IP (in the `ip` field of their
 * replies, BEP 42) before the node believes it (reliability.md S8: 3-5).
 */
export const EXTERNAL_IP_VOTES = 3;
/** Responders whose latest report of our IP is remembered, the oldest forgotten first. */
export const EXTERNAL_IP_VOTERS = 64;
/** A provider record lives this long after its last announcement (libp2p: 48 h). */
export const PROVIDER_TTL_MS = 48 * 3_600_000;
/** A providing node announces each key again this often (libp2p's reprovide: 22 h). */
export const REANNOUNCE_INTERVAL_MS = 22 * 3_600_000;
/** Keys a node holds provider records for; announces of new keys beyond it are refused. */
export const MAX_PROVIDER_KEYS = 10_000;
/** Providers held per key; the one announced longest ago gives way to a newcomer (libtorrent: 500). */
export const MAX_PROVIDERS_PER_KEY = 500;
/** Providers one `get_peers` reply carries at most (libtorrent and bittorrent-dht: 100). */
export const MAX_PROVIDERS_PER_REPLY = 100;
