/**
 * The unit directory as the consoles show it: orders carry unit ids, the screens their names. One
 * read shared by every page of the session (reloaded after an administrator changes a unit).
 */
import { useEffect, useMemo, useState } from 'react';
import { api, onSignedOut } from './api';

export interface UnitInfo {
  id: string;
  name: string;
  shortName: string | null;
  contact: string | null;
  /** Orders may be dispatched to it. */
  enabled: boolean;
  /** Display names of its active handlers. */
  handlers: string[];
}

let cached: Promise<UnitInfo[]> | null = null;
const listeners = new Set<(units: UnitInfo[]) => void>();
onSignedOut(() => {
  cached = null;
});

/** The directory, read once; `fresh` reads it again and tells every page showing names. */
export function loadUnits(fresh = false): Promise<UnitInfo[]> {
  if (fresh || !cached) {
    const read = api<{ items: UnitInfo[] }>('GET', '/api/units').then((r) => r.items);
    cached = read;
    void read.then((u) => listeners.forEach((l) => l(u)), () => {
      if (cached === read) cached = null;
    });
  }
  return cached;
}

export type UnitName = (id: string) => string;

/** The units and a unit's name by id (its id until the directory is read, or for a unit it does not list). */
export function useUnits(): { units: UnitInfo[]; name: UnitName } {
  const [units, setUnits] = useState<UnitInfo[]>([]);
  useEffect(() => {
    let live = true;
    const set = (u: UnitInfo[]) => live && setUnits(u);
    listeners.add(set);
    void loadUnits().then(set, () => undefined);
    return () => {
      live = false;
      listeners.delete(set);
    };
  }, []);
  const name = useMemo(() => {
    const byId = new Map(units.map((u) => [u.id, u.name]));
    return (id: string) => byId.get(id) ?? id;
  }, [units]);
  return { units, name };
}
