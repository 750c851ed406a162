/**
 * Address → names, learned in event time and bounded in bytes.
 *
 * Each address holds up to a few names (a CDN address serves many), each
 * with the time it was first seen, the time its answer expires (answer time
 * + TTL) and the client it was given to. A name is valid for a record at
 * time t from `first − grace` to `expires + grace`.
 *
 * Memory: an estimate of the bytes held (entries, names, strings; constants
 * measured with src/dev/memory-growth.ts, rounded up) is kept current, and
 * the table evicts until it is under its limit. Eviction is a segmented LRU:
 * a new address enters the probation segment; an address a connection was
 * annotated from, or whose name was answered again, moves to the protected
 * segment (at most `protectedShare` of the bytes). Evictions take the least
 * recently used probation entry first, so a flood of one-off names (random
 * subdomains, a scan of the DNS) churns through probation and leaves the
 * names a site keeps using in place.
 */
import { makeSnapshot, openSnapshot, Snapshot } from '../common/snapshot';
import { registrableDomain } from './domain';

/** Bytes of a string as V8 holds a one-byte string: a 16-byte header, the characters, rounded up to 8. */
const stringBytes = (s: string) => 16 + ((s.length + 7) & ~7);
/** Per address: the Map slot in the segment, the entry object, its bindings array. */
const ENTRY_BYTES = 320;
/** Per name of an address: the binding object with its times boxed as numbers. */
const BINDING_BYTES = 144;
/** Per distinct name: the interning Map's slot and the name object, besides its strings. */
const NAME_BYTES = 160;
// The three are rounded up from src/dev/names-memory.ts (heap bytes per address with one
// unique name, and with four shared names), so the estimate stays above what the heap holds;
// the entry's share also covers the Maps' spare capacity, which a full table at 10 M flood
// names showed (heap growth equal to a 64 MiB estimate with 80 bytes less per address).

/**
 * A copy of a string that holds no other: a parser's field is often a slice
 * of its whole line, and keeping the slice would keep the line.
 */
const detached = (s: string) => Buffer.from(s, 'utf8').toString('utf8');

/** A domain equal to its name is counted with the name. */
const domainBytes = (info: NameInfo) => (info.domain === undefined || info.domain === null || info.domain === info.name ? 0 : stringBytes(info.domain));

export interface NameInfo {
  readonly name: string;
  /** registrable domain, computed when first asked for (a flood's names never are), then kept */
  domain: string | null | undefined;
  refs: number;
}

interface Binding {
  info: NameInfo;
  client: string | null;
  /** epoch ms: first answer seen, the latest expiry of its answers */
  first: number;
  expires: number;
  /** epoch ms of the latest answer */
  last: number;
  /** a connection was annotated with it: kept before unused names when the address is full */
  used: boolean;
}

interface Entry {
  address: string;
  bindings: Binding[];
  bytes: number;
  protected: boolean;
  /** neighbours in its segment's recency list (older, newer) */
  older: Entry | null;
  newer: Entry | null;
}

/**
 * A recency list threaded through the entries. Not a Map's insertion
 * order: taking a Map's oldest key starts an iterator at the table's front,
 * which walks past every slot deleted since the last rehash, so an LRU
 * evicting from a large Map slows with its size (measured: 10 us per
 * eviction at 10,000 entries, 25 us at 100,000).
 */
class Recency {
  oldest: Entry | null = null;
  newest: Entry | null = null;
  size = 0;

  push(e: Entry): void {
    e.older = this.newest;
    e.newer = null;
    if (this.newest) this.newest.newer = e;
    else this.oldest = e;
    this.newest = e;
    this.size++;
  }

  unlink(e: Entry): void {
    if (e.older) e.older.newer = e.newer;
    else this.oldest = e.newer;
    if (e.newer) e.newer.older = e.older;
    else this.newest = e.older;
    e.older = e.newer = null;
    this.size--;
  }

  touch(e: Entry): void {
    if (this.newest === e) return;
    this.unlink(e);
    this.push(e);
  }

  clear(): void {
    this.oldest = this.newest = null;
    this.size = 0;
  }
}

export interface NameTableOptions {
  /** bytes the table may hold (estimated) */
  maxBytes: number;
  /** names stay valid this long before their first answer and after their TTL */
  graceSeconds: number;
  /** names kept per address */
  maxNamesPerAddress: number;
  /** share of maxBytes the protected segment may hold */
  protectedShare: number;
  /** count the Public Suffix List's private section (x.cloudfront.net is its own domain) */
  privateDomains: boolean;
  /** an entry whose names all expired this long before the latest event time is dropped (records later than that are late) */
  latenessSeconds: number;
}

export const DEFAULT_NAME_TABLE_OPTIONS: NameTableOptions = {
  maxBytes: 32 * 1024 * 1024,
  graceSeconds: 300,
  maxNamesPerAddress: 4,
  protectedShare: 0.8,
  privateDomains: true,
  latenessSeconds: 600,
};

/** [name, client, first, expires, used] */
/** [name, client, first, expires, used, last] */
type SavedBinding = [string, string | null, number, number, boolean, number];
/** [address, protected, bindings most recent first]; entries oldest first */
export interface NameTableState {
  now: number | null;
  entries: Array<[string, boolean, SavedBinding[]]>;
}

export interface NameHit {
  /** the chosen name: given to this client if one was, else the latest answered at or before the record's time */
  name: string;
  domain: string | null;
  /** every valid name of the address, the chosen first (set only when there are several) */
  all: string[] | null;
}

export class NameTable {
  private readonly entries = new Map<string, Entry>();
  private readonly probation = new Recency();
  private readonly protectedEntries = new Recency();
  private readonly names = new Map<string, NameInfo>();
  private entryBytes = 0;
  private protectedBytes = 0;
  private nameBytes = 0;
  /** latest event time seen (epoch ms) */
  private now = -Infinity;
  readonly counts = { learned: 0, hits: 0, misses: 0, stale: 0, evictions: 0, nameEvictions: 0, expired: 0, promotions: 0 };

  constructor(readonly options: NameTableOptions = DEFAULT_NAME_TABLE_OPTIONS) {}

  /** Estimated bytes held. */
  get bytes(): number {
    return this.entryBytes + this.nameBytes;
  }

  get addresses(): number {
    return this.entries.size;
  }

  get distinctNames(): number {
    return this.names.size;
  }

  /** Learns that `address` answers to `name` from eventMs for ttlSeconds (a DNS answer, or a name seen on a connection). */
  learn(address: string, name: string, ttlSeconds: number, eventMs: number, client: string | null = null): void {
    if (!(eventMs > this.now)) {
      if (Number.isNaN(eventMs)) return;
    } else {
      this.now = eventMs;
    }
    this.counts.learned++;
    const expires = eventMs + Math.max(0, ttlSeconds) * 1000;
    let entry = this.entries.get(address);
    if (entry) {
      (entry.protected ? this.protectedEntries : this.probation).touch(entry);
    } else {
      address = detached(address);
      entry = { address, bindings: [], bytes: ENTRY_BYTES + stringBytes(address), protected: false, older: null, newer: null };
      this.entries.set(address, entry);
      this.probation.push(entry);
      this.entryBytes += entry.bytes;
    }
    const bindings = entry.bindings;
    let at = -1;
    for (let i = 0; i < bindings.length; i++) if (bindings[i].info.name === name) at = i;
    if (at >= 0) {
      const b = bindings[at];
      if (expires > b.expires) b.expires = expires;
      if (eventMs < b.first) b.first = eventMs;
      if (eventMs > b.last) b.last = eventMs;
      if (client !== null) b.client = client;
      // answered again: the address is in use, not a one-off
      if (!entry.protected) this.promote(entry);
      bindings.splice(at, 1);
      bindings.unshift(b);
    } else {
      if (bindings.length >= this.options.maxNamesPerAddress) this.dropOneName(entry);
      bindings.unshift({ info: this.intern(name), client, first: eventMs, expires, last: eventMs, used: false });
      this.grow(entry, BINDING_BYTES);
    }
    this.sweep();
    this.enforce();
  }

  /** The name(s) of `address` valid at eventMs; a hit marks the address as in use. */
  lookup(address: string, eventMs: number, client: string | null = null): NameHit | null {
    const entry = Number.isNaN(eventMs) ? undefined : this.entries.get(address);
    if (!entry) {
      this.counts.misses++;
      return null;
    }
    const grace = this.options.graceSeconds * 1000;
    let chosen: Binding | null = null;
    let chosenAt = -Infinity;
    let valid = 0;
    for (const b of entry.bindings) {
      if (eventMs < b.first - grace || eventMs > b.expires + grace) continue;
      valid++;
      // this client's answer before anyone's; then the latest answer at or before the record's time
      // (for a name answered again later, its first answer: what the table knows of it before then)
      const at = b.last <= eventMs ? b.last : b.first;
      const mine = client !== null && b.client === client;
      const chosenMine = chosen !== null && client !== null && chosen.client === client;
      if (chosen === null || (mine && !chosenMine) || (mine === chosenMine && at > chosenAt)) {
        chosen = b;
        chosenAt = at;
      }
    }
    if (chosen === null) {
      this.counts.stale++;
      return null;
    }
    this.counts.hits++;
    chosen.used = true;
    let all: string[] | null = null;
    if (valid > 1) {
      all = [chosen.info.name];
      for (const b of entry.bindings) if (b !== chosen && eventMs >= b.first - grace && eventMs <= b.expires + grace) all.push(b.info.name);
    }
    // before any eviction: the domain's bytes count while the name is still in the table
    const domain = this.domainOfInfo(chosen.info);
    if (entry.protected) this.protectedEntries.touch(entry);
    else this.promote(entry);
    this.enforce();
    return { name: chosen.info.name, domain, all };
  }

  /** The registrable domain of a name (from the table when it holds the name). */
  domainOf(name: string): string | null {
    const info = this.names.get(name);
    if (!info) return registrableDomain(name, this.options.privateDomains);
    const known = info.domain !== undefined;
    const domain = this.domainOfInfo(info);
    if (!known) this.enforce();
    return domain;
  }

  private domainOfInfo(info: NameInfo): string | null {
    if (info.domain === undefined) {
      const found = registrableDomain(info.name, this.options.privateDomains);
      info.domain = found === null || found === info.name ? found : detached(found);
      this.nameBytes += domainBytes(info);
    }
    return info.domain;
  }

  /** The learned names, to be restored after a restart (recency order kept; counters are not state). */
  snapshot(): Snapshot<NameTableState> {
    const entries: NameTableState['entries'] = [];
    for (const list of [this.probation, this.protectedEntries]) {
      for (let e = list.oldest; e; e = e.newer) {
        entries.push([e.address, e.protected, e.bindings.map((b): SavedBinding => [b.info.name, b.client, b.first, b.expires, b.used, b.last])]);
      }
    }
    return makeSnapshot('name-table', this.stateSettings(), { now: Number.isFinite(this.now) ? this.now : null, entries });
  }

  /** Replaces the table with a saved one; throws with the reason when it cannot be used (other settings, not a name table). */
  restore(saved: unknown): void {
    const state = openSnapshot<NameTableState>(saved, 'name-table', this.stateSettings());
    if (state instanceof Error) throw state;
    if (!Array.isArray(state.entries)) throw new Error('saved name table has no entries');
    this.clear();
    for (const [address, isProtected, bindings] of state.entries) {
      if (typeof address !== 'string' || !Array.isArray(bindings)) continue;
      const entry: Entry = { address, bindings: [], bytes: ENTRY_BYTES + stringBytes(address), protected: false, older: null, newer: null };
      for (const [name, client, first, expires, used, last] of bindings) {
        if (typeof name !== 'string' || typeof first !== 'number' || typeof expires !== 'number') continue;
        entry.bindings.push({
          info: this.intern(name),
          client: typeof client === 'string' ? client : null,
          first,
          expires,
          last: typeof last === 'number' ? last : first,
          used: used === true,
        });
        entry.bytes += BINDING_BYTES;
      }
      this.entries.set(address, entry);
      this.entryBytes += entry.bytes;
      this.probation.push(entry);
      if (isProtected === true) this.promote(entry);
    }
    this.counts.promotions = 0;
    this.now = typeof state.now === 'number' ? state.now : -Infinity;
    // a smaller limit than the saved table's keeps the most recent
    this.enforce();
  }

  private stateSettings(): unknown {
    const { maxNamesPerAddress, privateDomains } = this.options;
    return { maxNamesPerAddress, privateDomains };
  }

  clear(): void {
    this.entries.clear();
    this.probation.clear();
    this.protectedEntries.clear();
    this.names.clear();
    this.entryBytes = this.protectedBytes = this.nameBytes = 0;
    this.now = -Infinity;
  }

  private intern(name: string): NameInfo {
    let info = this.names.get(name);
    if (!info) {
      const own = detached(name);
      info = { name: own, domain: undefined, refs: 0 };
      this.names.set(own, info);
      this.nameBytes += NAME_BYTES + stringBytes(own);
    }
    info.refs++;
    return info;
  }

  private release(info: NameInfo): void {
    if (--info.refs > 0) return;
    this.names.delete(info.name);
    this.nameBytes -= NAME_BYTES + stringBytes(info.name) + domainBytes(info);
  }

  private grow(entry: Entry, bytes: number): void {
    entry.bytes += bytes;
    this.entryBytes += bytes;
    if (entry.protected) this.protectedBytes += bytes;
  }

  /** Makes room for one name: the oldest unused name, else the oldest. */
  private dropOneName(entry: Entry): void {
    const bindings = entry.bindings;
    let at = bindings.length - 1;
    for (let i = bindings.length - 1; i >= 0; i--) {
      if (!bindings[i].used) {
        at = i;
        break;
      }
    }
    const [gone] = bindings.splice(at, 1);
    this.release(gone.info);
    this.grow(entry, -BINDING_BYTES);
    this.counts.nameEvictions++;
  }

  private promote(entry: Entry): void {
    this.probation.unlink(entry);
    entry.protected = true;
    this.protectedEntries.push(entry);
    this.protectedBytes += entry.bytes;
    this.counts.promotions++;
  }

  private remove(entry: Entry): void {
    if (entry.protected) {
      this.protectedEntries.unlink(entry);
      this.protectedBytes -= entry.bytes;
    } else {
      this.probation.unlink(entry);
    }
    this.entries.delete(entry.address);
    this.entryBytes -= entry.bytes;
    for (const b of entry.bindings) this.release(b.info);
  }

  /** Drops a few of the oldest probation entries whose names are dead for any record not late (amortised O(1) per learn). */
  private sweep(): void {
    const horizon = this.now - (this.options.graceSeconds + this.options.latenessSeconds) * 1000;
    for (let i = 0; i < 2; i++) {
      const oldest = this.probation.oldest;
      if (!oldest || oldest.bindings.some((b) => b.expires > horizon)) return;
      this.remove(oldest);
      this.counts.expired++;
    }
  }

  private enforce(): void {
    const o = this.options;
    // the protected segment overflows into probation (its most recent end), not out of the table
    while (this.protectedBytes > o.maxBytes * o.protectedShare && this.protectedEntries.oldest) {
      const oldest = this.protectedEntries.oldest;
      this.protectedEntries.unlink(oldest);
      this.protectedBytes -= oldest.bytes;
      oldest.protected = false;
      this.probation.push(oldest);
    }
    while (this.bytes > o.maxBytes && this.entries.size > 0) {
      this.remove((this.probation.oldest ?? this.protectedEntries.oldest) as Entry);
      this.counts.evictions++;
    }
  }
}
