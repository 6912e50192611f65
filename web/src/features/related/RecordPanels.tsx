// What the record page shows under the form of a saved record: related lists, the plugins'
// panels, the activity timeline and the audit history, each a panel of its own.
import { useMemo } from 'react';
import type { EntityDefinition, EntityRecord } from '../../api/types';
import { PluginPanels } from '../../plugins/PluginPanels';
import { AuditHistory } from './AuditHistory';
import { RelatedLists } from './RelatedLists';
import { Timeline } from './Timeline';
import { activityEntities, hasTimeline, oneToManyNavigations } from './navigations';

export interface RecordPanelsProps {
  entity: EntityDefinition;
  all: readonly EntityDefinition[];
  set: string;
  id: string;
  record: EntityRecord;
  /** Reloads the record and its panels (for plugins). */
  refresh: () => Promise<void>;
  /** Counts refreshes: plugins' panels render again when it changes. */
  refreshed?: number;
}

export function RecordPanels({ entity, all, set, id, record, refresh, refreshed = 0 }: RecordPanelsProps) {
  const navs = useMemo(() => oneToManyNavigations(entity, all), [entity, all]);
  const acts = useMemo(() => (hasTimeline(entity, all) ? activityEntities(all) : undefined), [entity, all]);
  return (
    <div className="record-panels">
      <div className="panels-main">
        <RelatedLists set={set} id={id} navigations={navs} />
        <PluginPanels entity={entity.name} set={set} id={id} record={record} refresh={refresh} refreshed={refreshed} />
      </div>
      <div className="panels-side">
        {acts && <Timeline entity={entity} id={id} union={acts.union} members={acts.members} />}
        <AuditHistory entity={entity} id={id} />
      </div>
    </div>
  );
}
