/**
 * A display path kept as a link to its parent: a child costs one small object however deep it is,
 * and the full string is built only when it is printed (a header, an error). Building paths by
 * string concatenation made `ls -R` copy every ancestor's path once per descendant.
 */
export class DisplayPath {
  /** characters built by toString() so far (a work counter for tests; never reset by us) */
  static builtChars = 0;

  private constructor(readonly parent: DisplayPath | undefined, readonly name: string) {}

  /** The root ('' when printed). */
  static root(): DisplayPath {
    return new DisplayPath(undefined, '');
  }

  /** A path from already-escaped components (e.g. what the user asked for). */
  static of(components: readonly string[]): DisplayPath {
    let p = DisplayPath.root();
    for (const c of components) p = p.child(c);
    return p;
  }

  child(name: string): DisplayPath {
    return new DisplayPath(this, name);
  }

  get isRoot(): boolean {
    return this.parent === undefined;
  }

  /** `a/b/c` relative to the root ('' for the root): one pass over the chain. */
  toString(): string {
    if (!this.parent) return '';
    const parts = [this.name];
    for (let p = this.parent; p.parent; p = p.parent) parts.push(p.name);
    const s = parts.reverse().join('/');
    DisplayPath.builtChars += s.length;
    return s;
  }
}
