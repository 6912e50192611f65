// What the record page shows under the form of a saved record: related lists, the activity
// timeline and the audit history, each from metadata and each a panel of its own.
import { useMemo } from 'react';
import type { EntityDefinition } from '../../api/types';
import { AuditHistory } from './AuditHistory';
import { RelatedLists } from './RelatedLists';
import { Timeline } from './Timeline';
import { activityEntities, hasTimeline, oneToManyNavigations } from './navigations';

export interface RecordPanelsProps {
  entity: EntityDefinition;
  all: readonly EntityDefinition[];
  set: string;
  id: string;
}

export function RecordPanels({ entity, all, set, id }: RecordPanelsProps) {
  const navs = useMemo(() => oneToManyNavigations(entity, all), [entity, all]);
  const acts = useMemo(() => (hasTimeline(entity, all) ? activityEntities(all) : undefined), [entity, all]);
  return (
    <div className="record-panels">
      <div className="panels-main">
        <RelatedLists set={set} id={id} navigations={navs} />
      </div>
      <div className="panels-side">
        {acts && <Timeline entity={entity} id={id} union={acts.union} members={acts.members} />}
        <AuditHistory entity={entity} id={id} />
      </div>
    </div>
  );
}
