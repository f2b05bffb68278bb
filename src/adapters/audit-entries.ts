import type { Declaration } from '../domain/declaration.workflow';
import type { AuditEntry } from '../ports/store';

/**
 * The entry that links one imported signature into the chain. An import's own entry says who imported how
 * many; each signature still needs an entry of its own, so that every signature is linked by its hash.
 * Its id derives from the import's and the signature's, so writing it twice writes one entry.
 */
export function importedEntry(importAudit: AuditEntry, d: Declaration): AuditEntry {
  return {
    ...importAudit,
    id: `${importAudit.id}:${d.id}`,
    schoolId: d.schoolId,
    entityType: 'declaration',
    entityId: d.id,
    action: 'declaration.imported',
    before: null,
    after: null,
  };
}
