// The business units as <option>s in tree order, indented by depth (unit selects).
import { flatten } from './org';
import type { UnitNode } from './org';

/** The units as <option>s, indented by depth. */
export function UnitOptions({ tree }: { tree: UnitNode[] }) {
  return (
    <>
      {flatten(tree).map(({ unit, depth }) => (
        <option key={unit.id} value={unit.id}>{`${'\u00a0\u00a0'.repeat(depth)}${unit.name}`}</option>
      ))}
    </>
  );
}
