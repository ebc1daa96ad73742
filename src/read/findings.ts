/**
 * Verify findings are data: each has a severity, a stable code, and the blob and/or path it is
 * about. The table below is the single list of codes (docs/reader.md mirrors it).
 */

export type Severity = 'error' | 'warning';

export interface Finding {
  severity: Severity;
  code: FindingCode;
  blob?: string;
  path?: string;
  message: string;
}

/** Every finding code with its usual severity (some are downgraded when `problems.txt` exists). */
export const FINDING_CODES = {
  VERIFY_LIST_FAILED: 'error',
  VERIFY_READ_FAILED: 'error',
  VERIFY_NO_BUCKET: 'error',
  VERIFY_BAD_BUCKET: 'error',
  VERIFY_MISSING_LOG: 'error',
  VERIFY_NO_LOGS: 'warning',
  VERIFY_PROBLEMS_FILE: 'warning',
  VERIFY_NO_ROOT: 'error',
  VERIFY_NOT_FINALIZED: 'error',
  VERIFY_TMP_BLOB: 'error',
  VERIFY_BAD_NAME: 'error',
  VERIFY_STRAY_BLOB: 'error',
  VERIFY_IN_PROGRESS: 'error',
  VERIFY_MISSING_BLOB: 'error',
  VERIFY_DANGLING: 'error',
  VERIFY_BAD_ENVELOPE: 'error',
  VERIFY_BAD_LZ4: 'error',
  VERIFY_TRUNCATED: 'error',
  VERIFY_BAD_BLOB: 'error',
  VERIFY_WRONG_KIND: 'error',
  VERIFY_NAME_MISMATCH: 'error',
  VERIFY_BAD_HANDLE: 'error',
  VERIFY_TYPE_MISMATCH: 'error',
  VERIFY_BAD_BMAP: 'error',
  VERIFY_DATABACK: 'error',
  VERIFY_SIZE_MISMATCH: 'error',
  VERIFY_DIR_PIECE: 'error',
  VERIFY_DIR_LENGTH: 'error',
  VERIFY_NLINK: 'error',
  VERIFY_BACKPOINTER: 'error',
  VERIFY_DOT_ENTRIES: 'error',
  VERIFY_ROOT_EXTATTRS: 'error',
  VERIFY_BAD_ENTRY_NAME: 'error',
  VERIFY_DUPLICATE_ENTRY: 'error',
  VERIFY_DIR_LINK: 'error',
  VERIFY_UNREFERENCED_INODE: 'error',
  VERIFY_UNREFERENCED: 'warning',
  VERIFY_STALE_VERSION: 'warning',
  VERIFY_SYMLINK_LENGTH: 'warning',
  VERIFY_NAME_HANDLE: 'warning',
} as const satisfies Record<string, Severity>;

export type FindingCode = keyof typeof FINDING_CODES;

/** Collects findings; `downgrade` turns the codes a failed-but-finished load explains into warnings. */
export class FindingSink {
  readonly findings: Finding[] = [];
  /** set when a `problems.txt` blob exists (§11.5): dangling entries and leftovers are expected */
  loadHadProblems = false;
  private static readonly DOWNGRADED = new Set<FindingCode>(['VERIFY_DANGLING', 'VERIFY_IN_PROGRESS', 'VERIFY_UNREFERENCED_INODE']);
  /** findings kept in full; beyond this only counts grow (a badly damaged container must not exhaust memory) */
  constructor(readonly maxKept = 10000) {}
  private counts = { error: 0, warning: 0 };
  private perCode = new Map<FindingCode, number>();

  add(code: FindingCode, message: string, where: { blob?: string; path?: string } = {}, severity?: Severity): void {
    let sev: Severity = severity ?? FINDING_CODES[code];
    if (this.loadHadProblems && FindingSink.DOWNGRADED.has(code)) sev = 'warning';
    this.counts[sev]++;
    this.perCode.set(code, (this.perCode.get(code) ?? 0) + 1);
    if (this.findings.length < this.maxKept) {
      const f: Finding = { severity: sev, code, message };
      if (where.blob !== undefined) f.blob = where.blob;
      if (where.path !== undefined) f.path = where.path;
      this.findings.push(f);
    }
  }

  get errors(): number {
    return this.counts.error;
  }

  get warnings(): number {
    return this.counts.warning;
  }

  /** Number of findings per code. */
  byCode(): Record<string, number> {
    return Object.fromEntries([...this.perCode].sort(([a], [b]) => a.localeCompare(b)));
  }

  has(code: FindingCode): boolean {
    return this.perCode.has(code);
  }
}
