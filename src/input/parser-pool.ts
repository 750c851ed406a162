import { LogParser, ParserOptions } from '../core/parse/parser';

/** parsers kept at once; beyond, the oldest stream's goes (its state is only a Zeek header) */
const MAX_PARSERS = 1000;

/** One parser per stream (a connection, or a UDP sender's address and port), for the state a stream carries. */
export class ParserPool {
  private readonly parsers = new Map<string, LogParser>();

  constructor(private readonly options: ParserOptions) {}

  of(id: string): LogParser {
    let p = this.parsers.get(id);
    if (!p) {
      if (this.parsers.size >= MAX_PARSERS) this.parsers.delete(this.parsers.keys().next().value as string);
      this.parsers.set(id, (p = new LogParser(this.options)));
    }
    return p;
  }

  release(id: string): void {
    this.parsers.delete(id);
  }

  clear(): void {
    this.parsers.clear();
  }
}
