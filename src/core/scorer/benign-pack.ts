/**
 * The benign pack: a versioned list of name entries for services that poll
 * by design (OS update and telemetry, time, anti-virus, sync agents), each
 * with its vendor's public page. The data is benign-pack.json, shipped as
 * written so it can be read, diffed and reviewed on its own; each entry is
 * an allow-list line, so a user can copy one into a scorer's own list.
 */
import { AllowRule, parseAllowList } from './alert-gate';
import pack from './benign-pack.json';
import { NameAllowEntry, NameAllowList, parseNameAllowList, splitAllowListText } from './name-allow-list';

export interface BenignPackEntry {
  entry: string;
  category: string;
  vendor: string;
  why: string;
  source: string;
}

export interface BenignPack {
  name: string;
  version: string;
  updated: string;
  description: string;
  entries: BenignPackEntry[];
}

export const BENIGN_PACK: BenignPack = pack;

/** The pack's entries as name allow-list entries; the reason names the vendor, the pack's version, and the entry's source. */
export function benignPackEntries(p: BenignPack = BENIGN_PACK): NameAllowEntry[] {
  return p.entries.flatMap((e) =>
    parseNameAllowList(e.entry).map((parsed) => ({ ...parsed, reason: `${e.vendor}: ${e.why} (benign pack ${p.version})`, source: e.source })),
  );
}

/**
 * One allow-list text read for the gate: the address kinds (dst, src, port,
 * pair of addresses) as parseAllowList reads them, the name kinds compiled,
 * and the benign pack's entries after the user's own when it is on (the
 * user's entry is the one a suppression names).
 */
export function readAllowLists(text: unknown, benignPack: boolean): { address: AllowRule[]; names: NameAllowList } {
  const { addressLines, nameLines } = splitAllowListText(text);
  const own = parseNameAllowList(nameLines);
  return { address: parseAllowList(addressLines), names: new NameAllowList(benignPack ? [...own, ...benignPackEntries()] : own) };
}
